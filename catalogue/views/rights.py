"""Web: the policy authoring page, "Can my team reuse this?", reuse registration and the reuse list."""

import json
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .. import odrl
from ..forms.policy import (
    PolicyForm,
    ProhibitionFormSet,
    build_from_forms,
    initial_from_policy,
    prohibition_rows,
)
from ..forms.reuse import ReuseForm, RightsQuestionForm
from ..models import Artifact, Team
from ..rules import RuleViolation
from ..selectors.common import keyset_page, visible_artifact
from ..selectors.preload import json_rows, preloaded
from ..selectors.rights import ReuseFilterSet, reuse_list, user_teams
from ..services.policy import InvalidPolicy, policy_set
from ..services.reuse import reuse_record
from ..services.rights import rights_check
from .common import add_reasons, add_validation_errors
from .panels import Panel, register

PAGE_SIZE = 50


def _artifact(request, slug: str) -> Artifact:
    return visible_artifact(request.user, slug, "owner_team", "current_policy", "superseded_by")


def _reading(document) -> list[str]:
    try:
        return odrl.describe(document)
    except Exception:  # noqa: BLE001 - a stored policy the describer cannot phrase still shows as JSON
        return []


# --- the policy page -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def policy_edit_view(request, slug):
    """Read the policy (anyone who sees the artifact); build a new revision (maintainers, admins)."""
    artifact = _artifact(request, slug)
    can_edit = (
        request.user.has_perm("catalogue.maintain_artifact", artifact) and not artifact.is_archived
    )
    current = artifact.current_policy
    preview = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = PolicyForm(request.POST, artifact=artifact)
        prohibitions = ProhibitionFormSet(request.POST, prefix="prohibitions")
        if form.is_valid() and prohibitions.is_valid():
            rows = prohibition_rows(prohibitions)
            document = build_from_forms(form, rows, version=current.revision if current else 1)
            if current is not None and document != current.odrl:
                # The revision is part of the policy's uid; an unchanged form keeps the current one.
                document = build_from_forms(form, rows, version=current.revision + 1)
            if "preview" in request.POST:
                preview = {"reading": _reading(document), "json": json.dumps(document, indent=2)}
            else:
                try:
                    policy = policy_set(
                        acting_user=request.user,
                        artifact=artifact,
                        odrl=document,
                        reason=form.cleaned_data["reason"],
                    )
                except InvalidPolicy as exc:
                    for issue in exc.issues:
                        form.add_error(None, f"{issue.path or 'policy'}: {issue.message}")
                except RuleViolation as exc:
                    add_reasons(form, exc)
                else:
                    messages.success(request, f"Reuse policy saved as revision {policy.revision}.")
                    return redirect("catalogue:policy_edit", slug=artifact.slug)
    else:
        initial = initial_from_policy(current.odrl) if current else None
        form = PolicyForm(initial=initial[0] if initial else None, artifact=artifact)
        prohibitions = ProhibitionFormSet(
            initial=initial[1] if initial else [], prefix="prohibitions"
        )
    context = {
        "artifact": artifact,
        "current": current,
        "reading": _reading(current.odrl) if current else [],
        "policy_json": json.dumps(current.odrl, indent=2) if current else "",
        "form_cannot_show": current is not None and initial_from_policy(current.odrl) is None,
        "can_edit": can_edit,
        "form": form,
        "prohibitions": prohibitions,
        "preview": preview,
        "revisions": list(
            artifact.policies.select_related("created_by").order_by("-revision")[:20]
        ),
    }
    return render(request, "catalogue/rights/policy_edit.html", context)


# --- "Can my team reuse this?" --------------------------------------------------------------


def _question_initial(user) -> dict:
    teams = user_teams(user)
    return {"team": teams[0].slug if teams else None, "action": "use"}


def rights_panel(request, artifact):
    """Artifact page panel: the policy's plain reading and the reuse question form."""
    current = artifact.current_policy if artifact.current_policy_id else None
    return {
        "artifact": artifact,
        "form": RightsQuestionForm(
            user=request.user,
            initial={"action": "use"},
            auto_id="rights_%s",
            teams=preloaded(artifact, "rights_teams", Team, lambda: Team.objects.order_by("name")),
        ),
        "reading": _reading(current.odrl) if current else [],
        "revision": current.revision if current else None,
        "can_record": not artifact.is_archived,
    }


def rights_loads(user) -> dict:
    """Every team, for the question form's select, as a column of the artifact page's query."""
    return {"rights_teams": json_rows(Team.objects.order_by("name"))}


register(
    Panel(
        key="rights",
        template="catalogue/rights/panel.html",
        context=rights_panel,
        order=30,
        loads=rights_loads,
    )
)


@require_GET
def rights_check_view(request, slug):
    """Answer the question; htmx gets the decision partial, a plain GET the whole page."""
    artifact = _artifact(request, slug)
    form = RightsQuestionForm(
        request.GET or None, initial=_question_initial(request.user), auto_id="rights_%s"
    )
    decision = None
    if form.is_valid():
        data = form.cleaned_data
        at = data["at"]
        if isinstance(at, datetime) and timezone.is_naive(at):
            at = timezone.make_aware(at)
        decision = rights_check(
            artifact=artifact,
            team=data["team"],
            action=data["action"],
            purpose=data["purpose"],
            channel=data["channel"],
            at=at,
            acting_user=request.user,
        )
    context = {"artifact": artifact, "form": form, "decision": decision}
    if request.htmx:
        return render(request, "catalogue/rights/decision.html", context)
    return render(request, "catalogue/rights/check.html", context)


# --- reuse registration and list ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def reuse_create_view(request, slug):
    """Record a reuse for one of your teams; shows the duties on success, the reasons on refusal."""
    artifact = _artifact(request, slug)
    form = ReuseForm(
        request.POST or None,
        user=request.user,
        artifact=artifact,
        initial={"team": _question_initial(request.user)["team"]},
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            reuse = reuse_record(acting_user=request.user, artifact=artifact, **form.cleaned_data)
        except RuleViolation as exc:
            refusal = exc
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return render(
                request, "catalogue/rights/reuse_done.html", {"artifact": artifact, "reuse": reuse}
            )
    team_field = form.fields["team"]
    # ReuseForm declares a ModelChoiceField and always sets its queryset; self.fields is typed as Field.
    assert isinstance(team_field, ModelChoiceField) and team_field.queryset is not None
    return render(
        request,
        "catalogue/rights/reuse_form.html",
        {
            "artifact": artifact,
            "form": form,
            "refusal": refusal,
            "no_team": not team_field.queryset.exists(),
        },
        status=409 if refusal else 200,
    )


@require_GET
def reuse_list_view(request):
    """Reuses of artifacts you may see, newest first, keyset-paginated (`?cursor=`)."""
    filterset = ReuseFilterSet(request.GET or None)
    params = request.GET.copy()
    if filterset.is_bound and not filterset.is_valid():
        params = {}
    rows = reuse_list(user=request.user, params=params)
    # ids grow with time, so "-id" is the keyset order; no counting, no offsets.
    page = keyset_page(rows, [("id", True)], request.GET.get("cursor"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    return render(
        request,
        "catalogue/rights/reuse_list.html",
        {
            "filter": filterset,
            "reuses": page.items,
            "next_query": query.urlencode() if page.next_cursor else "",
        },
    )
