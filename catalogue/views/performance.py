"""Reuse performance on the web: the artifact panel, charts, outcome form, library, credit, value.

Charts are SVG images served by their own views (see charts.py for why not inline).
"""

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError as DRFValidationError

from .. import charts, stats
from ..api.outcomes import library_filters
from ..models import Contributor, Metric, Reuse, Team
from ..models.choices import ArtifactKind
from ..permissions import can_act_for_team, is_admin, is_contributor, team_roles
from ..querysets import visible_artifacts
from ..selectors.common import visible_artifact
from ..selectors.credit import contributor_credit, team_credit
from ..selectors.library import LibraryFilters, library_ranking, value_summary
from ..selectors.performance import (
    artifact_performance,
    metric_rollups,
    metric_rollups_loads,
    outcome_points,
)
from ..services.outcomes import outcome_record
from .common import add_validation_errors
from .panels import Panel, register

# An SVG opened on its own is a document: it may style itself, but never run anything.
SVG_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
}


def _visible_artifact(user, slug):
    return visible_artifact(user, slug, "owner_team")


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- artifact panel and page -------------------------------------------------------------------


def _reportable_reuses(user, artifact) -> list[Reuse]:
    """The latest reuses of this artifact the user may report outcomes for (one query at most)."""
    qs = (
        Reuse.objects.filter(artifact=artifact)
        .select_related("team")
        .order_by("-created_at", "-id")
    )
    if is_admin(user):
        return list(qs[:5])
    if not is_contributor(user) or not team_roles(user):
        return []
    return list(qs.filter(team_id__in=list(team_roles(user)))[:5])


def performance_context(request, artifact, *, adoption: bool = True) -> dict:
    perf = artifact_performance(artifact, adoption=adoption)
    return {
        "artifact": artifact,
        "perf": perf,
        "reportable": _reportable_reuses(request.user, artifact),
        "adoption_total": sum(m["reuses"] for m in perf.adoption),
        # The artifact page shows the adoption chart (its own request) but not the monthly table,
        # which would cost a GROUP BY over the artifact's reuses on every page view.
        "adoption_chart": bool(perf.adoption) or (not adoption and perf.reuse_count > 0),
        "page_url": reverse("catalogue:artifact_performance", args=[artifact.slug]),
    }


def performance_panel(request, artifact) -> dict:
    return performance_context(request, artifact, adoption=False)


register(
    Panel(
        key="performance",
        template="catalogue/performance/panel.html",
        context=performance_panel,
        order=50,
        loads=metric_rollups_loads,
    )
)


@require_GET
def artifact_performance_view(request, slug):
    artifact = _visible_artifact(request.user, slug)
    return render(
        request,
        "catalogue/performance/artifact.html",
        {"ctx": performance_context(request, artifact)},
    )


@require_GET
@csp_override(SVG_CSP)
def outcome_chart_view(request, slug, metric):
    artifact = _visible_artifact(request.user, slug)
    summary = next((m for m in metric_rollups(artifact) if m.metric == metric), None)
    if summary is None:
        metric_obj = get_object_or_404(Metric, code=metric)
        return _svg_response(
            charts.outcome_chart(
                title=f"{metric_obj.name}: {artifact.title}",
                unit=metric_obj.unit,
                direction=metric_obj.direction,
                points=[],
                n=0,
                mean=None,
                low=None,
                high=None,
                method="",
            )
        )
    return _svg_response(
        charts.outcome_chart(
            title=f"{summary.name} of {artifact.title} across reuses",
            unit=summary.unit,
            direction=summary.direction,
            points=outcome_points(artifact.pk, metric),
            n=summary.n,
            mean=summary.mean,
            low=summary.ci_low,
            high=summary.ci_high,
            method=summary.method,
        )
    )


@require_GET
@csp_override(SVG_CSP)
def adoption_chart_view(request, slug):
    artifact = _visible_artifact(request.user, slug)
    perf = artifact_performance(artifact)
    return _svg_response(
        charts.adoption_chart(title=f"Reuses of {artifact.title} by month", months=perf.adoption)
    )


# --- outcome form ------------------------------------------------------------------------------


class _MetricChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit}, {obj.get_direction_display()})"


class OutcomeForm(forms.Form):
    metric = _MetricChoiceField(queryset=Metric.objects.order_by("name"), to_field_name="code")
    value = forms.FloatField()
    sample_size = forms.IntegerField(
        required=False, help_text="Customers, sessions or cases measured."
    )
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    baseline = forms.FloatField(required=False, help_text="The comparison value, if any.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def outcome_create_view(request, pk):
    reuse = (
        Reuse.objects.select_related("artifact", "team")
        .filter(pk=pk, artifact__in=visible_artifacts(request.user).values("pk"))
        .first()
    )
    if reuse is None:
        raise Http404
    if not can_act_for_team(request.user, reuse.team):
        raise PermissionDenied("Only the reusing team's contributors can record its outcomes.")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_record(acting_user=request.user, reuse=reuse, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, "Outcome recorded; the performance figures update in a moment."
            )
            return redirect("catalogue:artifact_performance", slug=reuse.artifact.slug)
    return render(
        request, "catalogue/performance/outcome_form.html", {"form": form, "reuse": reuse}
    )


# --- library -----------------------------------------------------------------------------------


def _library_filters(request) -> tuple[LibraryFilters, Any]:
    try:
        return library_filters(request.GET), {}
    except DRFValidationError as exc:
        return LibraryFilters(), exc.detail


@require_GET
def library_view(request):
    filters, errors = _library_filters(request)
    entries = library_ranking(request.user, filters)
    by_metric: OrderedDict = OrderedDict()
    for e in entries:
        group = by_metric.setdefault(
            e.metric,
            {
                "name": e.metric_name,
                "unit": e.unit,
                "direction": e.direction,
                "kinds": OrderedDict(),
            },
        )
        group["kinds"].setdefault(e.kind, []).append(e)
    query = request.GET.urlencode()
    return render(
        request,
        "catalogue/performance/library.html",
        {
            "by_metric": by_metric,
            "errors": errors,
            "filters": filters,
            "query": query,
            "kinds": ArtifactKind.choices,
            "teams": Team.objects.order_by("name"),
            "metrics": Metric.objects.order_by("name"),
            "kind_labels": dict(ArtifactKind.choices),
            "params": request.GET,
        },
    )


@require_GET
@csp_override(SVG_CSP)
def library_chart_view(request, metric):
    metric_obj = get_object_or_404(Metric, code=metric)
    filters, _ = _library_filters(request)
    entries = library_ranking(request.user, replace(filters, metric=metric, top=12))
    best = stats.rank(entries, metric_obj.direction)[:12]
    return _svg_response(
        charts.ranking_chart(
            title=f"Best practice by {metric_obj.name}",
            unit=metric_obj.unit,
            direction=metric_obj.direction,
            entries=best,
        )
    )


# --- credit and value --------------------------------------------------------------------------


@require_GET
def contributor_credit_view(request, pk):
    contributor = get_object_or_404(Contributor, pk=pk)
    report = contributor_credit(request.user, contributor)
    return render(
        request,
        "catalogue/performance/credit.html",
        {
            "subject": contributor.pseudonym,
            "kind": "contributor",
            "report": report,
        },
    )


@require_GET
def team_credit_view(request, slug):
    team = get_object_or_404(Team, slug=slug)
    report = team_credit(request.user, team)
    return render(
        request,
        "catalogue/performance/credit.html",
        {
            "subject": team.name,
            "kind": "team",
            "report": report,
        },
    )


@require_GET
def value_summary_view(request):
    return render(
        request,
        "catalogue/performance/value.html",
        {
            "by_team": value_summary(request.user, by="team"),
            "by_kind": value_summary(request.user, by="kind"),
        },
    )
