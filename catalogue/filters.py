"""FilterSets shared by the web lists and the API (one definition of every filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from .models import Artifact, Authorship, Team
from .models.choices import ArtifactKind, ArtifactStatus, Sensitivity
from .search import search_artifacts

# ordering value -> (order_by fields); each ends in a unique key so keyset pagination is stable.
# Every field has both directions (`-field` reverses it); each is a forward or backward walk of
# one index (artifact_recent, artifact_updated, artifact_title), so no direction sorts the table.
_FIELDS = {
    "created_at": ("created_at", "id"),
    "title": ("title", "id"),
    "updated_at": ("updated_at", "id"),
    "relevance": ("rank", "id"),
}
_REVERSED = {"relevance"}  # relevance means best first: its plain form is the descending rank


def _directed(fields: tuple[str, ...], descending: bool) -> tuple[str, ...]:
    return tuple(f"-{f}" for f in fields) if descending else fields


ORDERINGS: dict[str, tuple[str, ...]] = {}
for _name, _fields in _FIELDS.items():
    ORDERINGS[_name] = _directed(_fields, _name in _REVERSED)
    ORDERINGS[f"-{_name}"] = _directed(_fields, _name not in _REVERSED)
ORDERING_LABELS = {
    "-created_at": "Newest",
    "created_at": "Oldest",
    "title": "Title (A–Z)",
    "-title": "Title (Z–A)",
    "-updated_at": "Recently updated",
    "updated_at": "Least recently updated",
    "relevance": "Relevance",
    "-relevance": "Least relevant first",
}
DEFAULT_ORDERING = "-created_at"
# `use:state` values of the eligibility filter (catalogue/eligibility.py), e.g. ai_training:allowed.
ELIGIBILITY_CHOICES = [
    (f"{use}:{state}", f"{use.replace('_', ' ')}: {state.replace('_', ' ')}")
    for use in ("ai_training", "data_mining", "ai_inference")
    for state in ("allowed", "constrained", "not_allowed")
]


def ordering_for(params) -> tuple[str, ...]:
    """The order_by fields the params ask for (relevance by default when searching)."""
    q = (params.get("q") or "").strip() if params else ""
    wanted = (params.get("ordering") or "").strip() if params else ""
    if wanted in ("relevance", "-relevance") and not q:
        wanted = ""
    if wanted not in ORDERINGS:
        wanted = "relevance" if q else DEFAULT_ORDERING
    return ORDERINGS[wanted]


class ArtifactFilterSet(django_filters.FilterSet):
    # Multiple-choice filters on the artifact's own columns join nothing, so no DISTINCT: with it
    # PostgreSQL sorts every match instead of walking the (kind, created_at, id) index.
    q = django_filters.CharFilter(method="filter_q", label="Search")
    kind = django_filters.MultipleChoiceFilter(choices=ArtifactKind.choices, distinct=False)
    owner_team = django_filters.CharFilter(field_name="owner_team__slug", label="Owner team")
    status = django_filters.MultipleChoiceFilter(choices=ArtifactStatus.choices, distinct=False)
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    constraint_tag = django_filters.CharFilter(
        method="filter_constraint_tag", label="Constraint tag"
    )
    contributor = django_filters.NumberFilter(method="filter_contributor", label="Contributor (id)")
    sensitivity = django_filters.MultipleChoiceFilter(choices=Sensitivity.choices, distinct=False)
    customer_derived = django_filters.BooleanFilter(widget=forms.NullBooleanSelect)
    reusable_by = django_filters.CharFilter(method="filter_reusable_by", label="Reusable by team")
    eligibility = django_filters.ChoiceFilter(
        choices=ELIGIBILITY_CHOICES, method="filter_eligibility", label="Training-data eligibility"
    )
    ordering = django_filters.ChoiceFilter(
        choices=list(ORDERING_LABELS.items()),
        method="filter_ordering",
        label="Sort by",
        empty_label=None,
    )

    class Meta:
        model = Artifact
        fields = [
            "q",
            "kind",
            "owner_team",
            "status",
            "tag",
            "constraint_tag",
            "contributor",
            "sensitivity",
            "customer_derived",
            "reusable_by",
        ]

    def filter_q(self, queryset, name, value):
        # Applied last in filter_queryset: a common term ranks a bounded candidate set, which
        # must already be narrowed by every other filter.
        return queryset

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip().lower()])

    def filter_constraint_tag(self, queryset, name, value):
        return queryset.filter(
            constraint_tags__contains=[value.strip().lower()]
        )  # GIN artifact_constraint_tags

    def filter_contributor(self, queryset, name, value):
        # A semi-join on the authorship's contributor index: no DISTINCT, no duplicate rows.
        return queryset.filter(
            Exists(Authorship.objects.filter(artifact=OuterRef("pk"), contributor_id=int(value)))
        )

    def filter_reusable_by(self, queryset, name, value):
        from .querysets import reusable_by  # added by the rights sub-domain

        team = Team.objects.filter(slug=value).first()
        if team is None:
            return queryset.none()
        return reusable_by(queryset, team)

    def filter_eligibility(self, queryset, name, value):
        from .eligibility import filter_by_eligibility  # the legal sub-domain's set form

        return filter_by_eligibility(queryset, value)

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last in filter_queryset, after search annotated `rank`

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = (
            self.form.cleaned_data if self.is_bound and hasattr(self.form, "cleaned_data") else {}
        )
        if (params.get("q") or "").strip():
            queryset = search_artifacts(queryset, params["q"])
        return queryset.order_by(*ordering_for(params))
