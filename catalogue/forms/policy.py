"""The reuse-policy authoring form: plain choices in, ODRL JSON-LD out (catalogue.odrl)."""

from django import forms

from .. import odrl
from ..models import Team
from ..models.choices import Action, Channel, Purpose

DUTY_CHOICES = [
    ("attribute", "Attribute the originators"),
    ("inform_owner", "Inform the owner team of each reuse"),
    ("approval_per_reuse", "Ask the owner team's approval before each reuse"),
]
TEAMS_ALL, TEAMS_CHOSEN = "all", "chosen"


class PolicyForm(forms.Form):
    teams_mode = forms.ChoiceField(
        label="Who may reuse it",
        widget=forms.RadioSelect,
        initial=TEAMS_ALL,
        choices=[(TEAMS_ALL, "All teams"), (TEAMS_CHOSEN, "Only the teams chosen below")],
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Chosen teams",
    )
    actions = forms.MultipleChoiceField(
        choices=Action.choices,
        initial=[Action.USE],
        widget=forms.CheckboxSelectMultiple,
        help_text="'use' covers modify, derive, distribute and train.",
    )
    purposes = forms.MultipleChoiceField(
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for any purpose.",
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for any channel.",
    )
    valid_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    duties = forms.MultipleChoiceField(
        choices=DUTY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Duties that come with a permit",
    )
    reason = forms.CharField(
        required=False, max_length=500, label="Why this change (kept in the audit trail)"
    )

    def __init__(self, *args, artifact, **kwargs):
        self.artifact = artifact
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs type that return as Optional
        if data.get("teams_mode") == TEAMS_CHOSEN and not data.get("teams"):
            self.add_error("teams", "Choose at least one team, or allow all teams.")
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and start > end:
            self.add_error("valid_until", "The end of the validity window is before its start.")
        return data


class ProhibitionForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "—")] + list(Action.choices), required=False)
    purposes = forms.MultipleChoiceField(
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: for every purpose.",
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: in every channel.",
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns; the stubs type that return as Optional
        if not data.get("action") and (data.get("purposes") or data.get("channels")):
            self.add_error("action", "Choose the prohibited action.")
        return data


ProhibitionFormSet = forms.formset_factory(ProhibitionForm, extra=0, max_num=5, absolute_max=5)


def prohibition_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("action"):
            row = {"action": data["action"]}
            if data.get("purposes"):
                row["purposes"] = data["purposes"]
            if data.get("channels"):
                row["channels"] = data["channels"]
            rows.append(row)
    return rows


def build_from_forms(form: PolicyForm, prohibitions: list[dict], *, version: int) -> dict:
    """The ODRL JSON-LD document the valid forms describe."""
    data = form.cleaned_data
    artifact = form.artifact
    return odrl.build_policy(
        artifact_slug=artifact.slug,
        teams=[t.slug for t in data["teams"]] if data["teams_mode"] == TEAMS_CHOSEN else None,
        actions=data["actions"],
        purposes=data["purposes"] or None,
        channels=data["channels"] or None,
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        duties=data["duties"],
        prohibitions=prohibitions,
        owner_team_slug=artifact.owner_team.slug,
        version=version,
    )


def initial_from_policy(document) -> tuple[dict, list[dict]] | None:
    """(form initial, prohibition initials) read back from a policy; None if the form can't show it."""
    try:
        values = odrl.form_values(document)
    except (odrl.FormMappingError, odrl.PolicyError):
        return None
    teams = values["teams"]
    initial = {
        "teams_mode": TEAMS_ALL if teams is None else TEAMS_CHOSEN,
        "teams": list(Team.objects.filter(slug__in=teams or [])),
        "actions": values["actions"],
        "purposes": values["purposes"] or [],
        "channels": values["channels"] or [],
        "valid_from": values["valid_from"],
        "valid_until": values["valid_until"],
        "duties": values["duties"],
    }
    prohibitions = [
        {
            "action": p["action"],
            "purposes": p.get("purposes", []),
            "channels": p.get("channels", []),
        }
        for p in values["prohibitions"]
    ]
    return initial, prohibitions
