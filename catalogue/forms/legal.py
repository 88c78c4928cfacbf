"""Legal workspace forms: record a consent (with content-checked evidence), attach evidence."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import Artifact, Contributor
from ..models.choices import ConsentMethod, ContributorKind, Purpose

EVIDENCE_TYPES = [
    ("pdf", "PDF"),
    ("png", "PNG image"),
    ("jpeg", "JPEG image"),
    ("txt", "Plain text"),
]


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label="Evidence file")
    evidence_type = forms.ChoiceField(choices=EVIDENCE_TYPES, label="File type")


class ConsentForm(forms.Form):
    contributor = forms.CharField(
        label="Contributor", help_text="Pseudonym (contributor-…) or id of the customer or partner."
    )
    artifacts = forms.CharField(
        label="Covered artifacts", help_text="Slugs, separated by commas.", required=False
    )
    purposes = forms.MultipleChoiceField(
        choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    jurisdiction = forms.CharField(max_length=16, initial="GB")
    notice_version = forms.CharField(max_length=40)
    method = forms.ChoiceField(choices=ConsentMethod.choices)
    obtained_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    expires_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    compensation = forms.CharField(max_length=200, required=False)
    external_ref = forms.CharField(
        max_length=200, required=False, label="Reference in the consent system"
    )
    evidence = forms.FileField(required=False)
    evidence_type = forms.ChoiceField(choices=EVIDENCE_TYPES, required=False)

    def clean_contributor(self) -> Contributor:
        value = self.cleaned_data["contributor"].strip()
        lookup = {"pk": int(value)} if value.isdigit() else {"pseudonym": value}
        contributor = (
            Contributor.objects.filter(**lookup).exclude(kind=ContributorKind.EMPLOYEE).first()
        )
        if contributor is None:
            raise ValidationError("No customer or external contributor with that pseudonym or id.")
        return contributor

    def clean_artifacts(self) -> list[Artifact]:
        slugs = [s.strip() for s in self.cleaned_data.get("artifacts", "").split(",") if s.strip()]
        found = {a.slug: a for a in Artifact.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise ValidationError(f"Unknown artifacts: {', '.join(unknown)}.")
        return list(found.values())
