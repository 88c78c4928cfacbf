"""Register / edit / new-version forms. They validate shape only; the services own the rules."""

from decimal import Decimal

from django import forms
from django.utils.text import slugify

from ..models import Artifact, Contributor, Team, Version
from ..models.choices import (
    ArtifactKind,
    AuthorRole,
    Channel,
    ContributorKind,
    LineageRelation,
    Sensitivity,
)
from ..permissions import is_admin, is_contributor, team_roles
from ..querysets import visible_artifacts
from ..services.uploads import ALLOWED_TYPES
from .fields import CommaSeparatedField, bootstrap

# Paths under /artifacts/ that are views, not slugs.
RESERVED_SLUGS = {"new", "lookup", "validate"}


def registrable_teams(user):
    """Teams the user may register artifacts for (admins: all)."""
    if is_admin(user):
        return Team.objects.order_by("name")
    if not is_contributor(user):
        return Team.objects.none()
    return Team.objects.filter(pk__in=list(team_roles(user))).order_by("name")


class ArtifactForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=120,
        required=False,
        help_text="Permanent address; leave blank to derive it from the title.",
    )
    kind = forms.ChoiceField(choices=[("", "Choose a kind…"), *ArtifactKind.choices])
    owner_team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    sensitivity = forms.ChoiceField(
        choices=Sensitivity.choices,
        initial=Sensitivity.INTERNAL,
        help_text="Restricted: visible only to the owner team, legal and admins.",
    )
    customer_derived = forms.BooleanField(
        required=False,
        label="Contains customer-contributed or co-created material",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    intent = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The purpose or hypothesis behind it (needed to publish).",
    )
    constraints = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Regulatory, data and usage limits.",
    )
    constraint_tags = CommaSeparatedField(
        label="Constraint tags", help_text="e.g. gdpr, consumer-duty, pci-dss"
    )
    tags = CommaSeparatedField()
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason for the change",
        help_text="Kept in the artifact's history.",
    )

    def __init__(self, *args, user, artifact: Artifact | None = None, validate_url=None, **kwargs):
        self.user = user
        self.artifact = artifact
        if artifact is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(artifact, name)
                for name in (
                    "title",
                    "kind",
                    "sensitivity",
                    "customer_derived",
                    "summary",
                    "intent",
                    "constraints",
                    "constraint_tags",
                    "tags",
                    "channels",
                )
            }
        super().__init__(*args, **kwargs)
        if artifact is None:
            self.fields["owner_team"].queryset = registrable_teams(user)  # type: ignore[attr-defined]
            del self.fields["reason"]
        else:
            # Slug and owner team are identity: fixed after registration.
            del self.fields["slug"]
            del self.fields["owner_team"]
        bootstrap(self, validate_url=validate_url)

    @property
    def is_edit(self) -> bool:
        return self.artifact is not None

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("This address is reserved; choose another.")
        if slug and Artifact.objects.filter(slug=slug).exists():
            raise forms.ValidationError("An artifact already uses this address; choose another.")
        return slug

    def clean(self):
        super().clean()
        cleaned = (
            self.cleaned_data
        )  # what Form.clean returns; the stubs type that return as Optional
        if not self.is_edit and not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = self._free_slug(cleaned["title"])
        return cleaned

    @staticmethod
    def _free_slug(title: str) -> str:
        base = slugify(title)[:100] or "artifact"
        if base in RESERVED_SLUGS:
            base = f"{base}-artifact"
        taken = set(Artifact.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def service_fields(self) -> dict:
        """The artifact's own fields, as the services take them."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class ContributorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return contributor_label(obj)


def contributor_label(contributor: Contributor) -> str:
    """How a contributor is shown to people who may not see personal data."""
    parts = [contributor.get_kind_display()]
    if contributor.organisation:
        parts.append(contributor.organisation)
    return f"{contributor.pseudonym} ({', '.join(parts)})"


class AuthorForm(forms.Form):
    contributor = ContributorChoiceField(
        queryset=Contributor.objects.all(),
        to_field_name="pseudonym",
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "contributor-options",
                "autocomplete": "off",
                "placeholder": "contributor pseudonym",
            }
        ),
        help_text="Type to search by pseudonym, organisation or username.",
        error_messages={"invalid_choice": "No contributor with this pseudonym."},
    )
    role = forms.ChoiceField(choices=AuthorRole.choices, initial=AuthorRole.ORIGINATOR)
    credit_share = forms.DecimalField(
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
        help_text="0 to 1; an artifact's shares add up to at most 1.",
    )
    new_kind = forms.ChoiceField(
        choices=[("", "—")] + list(ContributorKind.choices),
        required=False,
        label="…or a new contributor of kind",
    )
    new_organisation = forms.CharField(max_length=200, required=False, label="Organisation")

    def __init__(self, *args, user=None, validate_url=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        bootstrap(self, validate_url=validate_url)

    def clean(self):
        super().clean()
        cleaned = (
            self.cleaned_data
        )  # what Form.clean returns; the stubs type that return as Optional
        if self.errors:
            return cleaned
        if cleaned.get("credit_share") is None:
            cleaned["credit_share"] = Decimal(0)
        has_existing = cleaned.get("contributor") is not None
        has_new = bool(cleaned.get("new_kind"))
        if has_existing and has_new:
            raise forms.ValidationError(
                "Pick an existing contributor or describe a new one, not both."
            )
        if not has_existing and not has_new and not cleaned.get("DELETE"):
            self.add_error("contributor", "Pick a contributor (or describe a new one).")
        return cleaned


class ParentForm(forms.Form):
    artifact = forms.ModelChoiceField(
        queryset=Artifact.objects.none(),
        to_field_name="slug",
        label="Parent artifact",
        widget=forms.TextInput(
            attrs={"list": "artifact-options", "autocomplete": "off", "placeholder": "parent slug"}
        ),
        error_messages={"invalid_choice": "No artifact with this address."},
    )
    relation = forms.ChoiceField(
        choices=LineageRelation.choices, initial=LineageRelation.DERIVED_FROM
    )
    version = forms.CharField(
        max_length=40, required=False, help_text="Optional: the parent's version."
    )

    def __init__(self, *args, user=None, validate_url=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        artifact_field = self.fields["artifact"]
        assert isinstance(
            artifact_field, forms.ModelChoiceField
        )  # declared above; self.fields is typed as Field
        artifact_field.queryset = visible_artifacts(user)
        bootstrap(self, validate_url=validate_url)

    def clean(self):
        super().clean()
        cleaned = (
            self.cleaned_data
        )  # what Form.clean returns; the stubs type that return as Optional
        parent, version = cleaned.get("artifact"), cleaned.get("version")
        if parent is not None and version:
            found = Version.objects.filter(artifact=parent, version=version).first()
            if found is None:
                self.add_error("version", f"'{parent.slug}' has no version {version}.")
            cleaned["version_obj"] = found
        return cleaned


class _RowsFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """Cleaned rows, skipping blank extra rows and rows marked for deletion."""
        initial = self.initial_form_count()
        return [
            f.cleaned_data
            for i, f in enumerate(self.forms)
            if (i < initial or f.has_changed())
            and f.cleaned_data
            and not f.cleaned_data.get("DELETE")
        ]


AuthorFormSet = forms.formset_factory(
    AuthorForm, formset=_RowsFormSet, extra=1, can_delete=True, max_num=50
)
ParentFormSet = forms.formset_factory(
    ParentForm, formset=_RowsFormSet, extra=1, can_delete=True, max_num=20
)


def author_initial(authorships) -> list[dict]:
    return [
        {"contributor": a.contributor.pseudonym, "role": a.role, "credit_share": a.credit_share}
        for a in authorships
    ]


def parent_initial(links) -> list[dict]:
    return [
        {
            "artifact": link.parent.slug,
            "relation": link.relation,
            "version": link.parent_version.version if link.parent_version else "",
        }
        for link in links
    ]


class VersionForm(forms.Form):
    version = forms.CharField(max_length=40, help_text="e.g. 1.2.0")
    changelog = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    uri = forms.URLField(
        max_length=500, required=False, label="Location (URI)", assume_scheme="https"
    )
    attachment = forms.FileField(
        required=False, help_text="Optional file or evidence for this version."
    )
    declared_type = forms.ChoiceField(
        choices=[("", "—")] + [(key, key.upper()) for key in ALLOWED_TYPES],
        required=False,
        label="Declared file type",
        help_text="The upload's content is checked against it.",
    )
    is_evidence = forms.BooleanField(required=False, label="This file is evidence")

    def __init__(self, *args, artifact: Artifact, **kwargs):
        self.artifact = artifact
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_version(self) -> str:
        version = self.cleaned_data["version"].strip()
        if Version.objects.filter(artifact=self.artifact, version=version).exists():
            raise forms.ValidationError(f"Version {version} already exists.")
        return version

    def clean(self):
        super().clean()
        cleaned = (
            self.cleaned_data
        )  # what Form.clean returns; the stubs type that return as Optional
        if cleaned.get("attachment") and not cleaned.get("declared_type"):
            self.add_error("declared_type", "Say what type of file this is.")
        return cleaned
