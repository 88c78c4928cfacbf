"""Deprecate, archive and restore forms; the services enforce the rules, these shape the input."""

from django import forms
from django.urls import reverse_lazy

from ..querysets import visible_artifacts


class DeprecateForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Why it is being retired: the firm's memory of it. Required.",
    )
    lessons_learned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
        help_text="What others should know before building something similar.",
    )
    superseded_by = forms.CharField(
        required=False,
        label="Successor",
        max_length=120,
        help_text="Slug of the artifact that replaces it (start typing to search).",
        widget=forms.TextInput(
            attrs={
                "list": "successor-options",
                "autocomplete": "off",
                "class": "form-control",
                "hx-get": reverse_lazy("catalogue:artifact_lookup"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#successor-options",
                "hx-swap": "innerHTML",
            }
        ),
    )
    sunset_on = forms.DateField(
        required=False,
        label="Sunset date",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text="Reuse is refused after this date and the artifact is archived automatically.",
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_superseded_by(self):
        slug = (self.cleaned_data.get("superseded_by") or "").strip()
        if not slug:
            return None
        successor = visible_artifacts(self.user).filter(slug=slug).first()
        if successor is None:
            raise forms.ValidationError(f"No artifact '{slug}'.")
        return successor


class ArchiveForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Why it is being archived. Archived artifacts are read-only and stay searchable.",
    )
    lessons_learned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
        help_text="Leave empty to keep the lessons recorded at deprecation.",
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Why it comes back. Required.",
    )
