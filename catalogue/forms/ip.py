"""Record an IP assignment (chain of title) for an artifact, with an optional signed document."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import Artifact, Contributor
from ..models.choices import Channel, IPKind, IPStatus, Purpose
from .legal import EVIDENCE_TYPES


class IPAssignmentForm(forms.Form):
    artifact = forms.CharField(label="Artifact", help_text="The artifact's slug.")
    assignor = forms.CharField(
        label="Assignor",
        help_text="Pseudonym (contributor-…) or id of the contributor who assigns or licenses.",
    )
    assignee = forms.CharField(max_length=200, initial="The Bank")
    kind = forms.ChoiceField(choices=IPKind.choices, initial=IPKind.ASSIGNMENT)
    status = forms.ChoiceField(choices=IPStatus.choices, initial=IPStatus.SIGNED)
    signed_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Required once signed.",
    )
    scope = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Scope (in words)"
    )
    scope_purposes = forms.MultipleChoiceField(
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Purposes covered",
        help_text="None ticked: every purpose. The rights check denies others.",
    )
    scope_channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Channels covered",
        help_text="None ticked: every channel.",
    )
    jurisdiction = forms.CharField(
        max_length=16,
        initial="GB",
        required=False,
        help_text="ISO 3166 codes, comma-separated (GB,IE); blank or WW: worldwide.",
    )
    document = forms.FileField(required=False, label="Signed document")
    document_type = forms.ChoiceField(choices=EVIDENCE_TYPES, required=False, label="Document type")

    def clean_artifact(self) -> Artifact:
        artifact = Artifact.objects.filter(slug=self.cleaned_data["artifact"].strip()).first()
        if artifact is None:
            raise ValidationError("No artifact with that slug.")
        return artifact

    def clean_assignor(self) -> Contributor:
        value = self.cleaned_data["assignor"].strip()
        lookup = {"pk": int(value)} if value.isdigit() else {"pseudonym": value}
        contributor = Contributor.objects.filter(**lookup).first()
        if contributor is None:
            raise ValidationError("No contributor with that pseudonym or id.")
        return contributor

    def clean(self):
        super().clean()
        data = self.cleaned_data  # Form.clean returns it; the stubs type the return as Optional
        if data.get("document") is not None and not data.get("document_type"):
            self.add_error("document_type", "Say what kind of file the document is.")
        return data
