"""Reuse registration and the "Can my team reuse this?" question."""

from django import forms
from django.utils import timezone

from ..models import Team, Version
from ..models.choices import Action, Channel, Purpose, ReuseMode
from ..permissions import is_admin, is_contributor, team_roles
from ..selectors.versions import published_versions


class RightsQuestionForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), to_field_name="slug", empty_label=None
    )
    action = forms.ChoiceField(choices=Action.choices, initial=Action.USE)
    purpose = forms.ChoiceField(choices=Purpose.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    at = forms.DateTimeField(
        required=False,
        label="At (empty: now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, user=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Render from a list read once: a ModelChoiceField iterates its queryset through a
        # server-side cursor every time the select is rendered (twice by crispy). `teams`: the
        # same list, already loaded by the caller (the artifact page preloads it).
        field = self.fields["team"]
        # Declared above with a queryset; self.fields is typed as plain Field.
        assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
        teams = list(field.queryset) if teams is None else teams
        field.choices = [(team.slug, field.label_from_instance(team)) for team in teams]
        if user is not None and "team" not in self.initial:
            # The user's first team by name, picked from the same list (no query of its own).
            mine = team_roles(user)
            self.initial["team"] = next((team.slug for team in teams if team.pk in mine), None)


class _VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.version


class ReuseForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), to_field_name="slug", empty_label=None
    )
    initiative = forms.CharField(
        max_length=200, help_text="The project or campaign that reuses it."
    )
    purpose = forms.ChoiceField(choices=Purpose.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    mode = forms.ChoiceField(
        choices=ReuseMode.choices, initial=ReuseMode.AS_IS, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = _VersionChoiceField(
        queryset=Version.objects.none(),
        required=False,
        empty_label="Latest published version",
    )

    def __init__(self, *args, user, artifact, **kwargs):
        super().__init__(*args, **kwargs)
        # Only teams the user may record for: can_act_for_team (their teams as contributor, or any as admin).
        teams = Team.objects.order_by("name")
        if not is_admin(user):
            teams = teams.filter(memberships__user=user) if is_contributor(user) else teams.none()
        team_field, version_field = self.fields["team"], self.fields["version"]
        # Both declared above as ModelChoiceField; self.fields is typed as plain Field.
        assert isinstance(team_field, forms.ModelChoiceField)
        assert isinstance(version_field, forms.ModelChoiceField)
        team_field.queryset = teams
        # Only published versions may be reused (Rule 1); the service refuses any other.
        version_field.queryset = published_versions(artifact)
