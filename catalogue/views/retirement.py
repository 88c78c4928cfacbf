"""Web: deprecate/archive/restore forms, the retirement panel, the lessons library, resemblance check."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..forms.retirement import ArchiveForm, DeprecateForm, RestoreForm
from ..models import Artifact
from ..models.choices import ArtifactStatus
from ..querysets import visible_artifacts
from ..resemblance import resembling_archived
from ..rules import RuleViolation
from ..selectors.common import visible_artifact
from ..selectors.lessons import LessonsQuery, lessons_facets, lessons_page, retirement_history
from ..services.retirement import artifact_archive, artifact_deprecate, artifact_restore
from .common import add_reasons
from .panels import Panel, register


def _artifact(request, slug: str) -> Artifact:
    return visible_artifact(request.user, slug, "superseded_by", "owner_team")


def _transition_view(
    request, slug: str, *, form_class, perm: str, allowed_from, title: str, template: str, service
):
    artifact = _artifact(request, slug)
    if not request.user.has_perm(perm, artifact):
        raise PermissionDenied
    kwargs = {"user": request.user} if form_class is DeprecateForm else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(acting_user=request.user, artifact=artifact, **form.cleaned_data)
        except RuleViolation as exc:
            add_reasons(form, exc)
        else:
            messages.success(request, f"{title}: done.")
            return redirect("catalogue:artifact_detail", slug=artifact.slug)
    return render(
        request,
        template,
        {
            "artifact": artifact,
            "form": form,
            "title": title,
            "allowed": artifact.status in allowed_from,
        },
    )


@require_http_methods(["GET", "POST"])
def artifact_deprecate_view(request, slug):
    """Deprecate a published artifact (owner team maintainers, admins)."""
    return _transition_view(
        request,
        slug,
        form_class=DeprecateForm,
        perm="catalogue.maintain_artifact",
        allowed_from=(ArtifactStatus.PUBLISHED,),
        title="Deprecate",
        template="catalogue/retirement/deprecate.html",
        service=artifact_deprecate,
    )


@require_http_methods(["GET", "POST"])
def artifact_archive_view(request, slug):
    """Archive a published or deprecated artifact; it becomes read-only."""
    return _transition_view(
        request,
        slug,
        form_class=ArchiveForm,
        perm="catalogue.maintain_artifact",
        allowed_from=(ArtifactStatus.PUBLISHED, ArtifactStatus.DEPRECATED),
        title="Archive",
        template="catalogue/retirement/archive.html",
        service=artifact_archive,
    )


@require_http_methods(["GET", "POST"])
def artifact_restore_view(request, slug):
    """Restore a retired artifact (admins)."""
    return _transition_view(
        request,
        slug,
        form_class=RestoreForm,
        perm="catalogue.restore_artifact",
        allowed_from=(ArtifactStatus.DEPRECATED, ArtifactStatus.ARCHIVED),
        title="Restore",
        template="catalogue/retirement/restore.html",
        service=artifact_restore,
    )


@require_GET
def lessons_view(request):
    """Retired artifacts searchable by rationale and lessons, with facets; htmx swaps the results."""
    query = LessonsQuery.from_params(request.GET)
    page = lessons_page(user=request.user, query=query, cursor=request.GET.get("cursor", ""))
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "query": query,
        "page": page,
        "facet_groups": _facet_groups(lessons_facets(user=request.user, query=query), params),
        "base_params": params.urlencode(),
    }
    template = (
        "catalogue/retirement/lessons_results.html"
        if request.htmx
        else "catalogue/retirement/lessons.html"
    )
    return render(request, template, context)


FACET_LABELS = [("kind", "Kind"), ("team", "Team"), ("year", "Year retired")]


def _facet_groups(facets: dict, params) -> list[dict]:
    # Each row links to the same search with its own value toggled (selected → cleared).
    groups = []
    for name, label in FACET_LABELS:
        rows = []
        for row in facets[name]:
            query = params.copy()
            if row["selected"]:
                query.pop(name, None)
            else:
                query[name] = row["value"]
            rows.append({**row, "query": query.urlencode()})
        groups.append({"name": name, "label": label, "rows": rows})
    return groups


@require_http_methods(["GET", "POST"])
def resemblance_check_view(request):
    """htmx: warn while registering when the draft resembles retired artifacts (read-only)."""
    data = request.POST if request.method == "POST" else request.GET
    matches = resembling_archived(
        user=request.user,
        title=data.get("title", "")[:200],
        summary=data.get("summary", "")[:5000],
        intent=data.get("intent", "")[:5000],
    )
    successor_ids = {m.superseded_by_id for m in matches if m.superseded_by_id}
    visible = (
        set(
            visible_artifacts(request.user)
            .filter(Q(pk__in=successor_ids))
            .values_list("pk", flat=True)
        )
        if successor_ids
        else set()
    )
    for match in matches:
        # A display attribute for the template, like the resemblance scores resembling_archived sets.
        match.successor = match.superseded_by if match.superseded_by_id in visible else None  # type: ignore[attr-defined]
    return render(request, "catalogue/retirement/resemblance.html", {"matches": matches})


def retirement_panel(request, artifact):
    """The retirement record (who, when, why, lessons, successor) and the lifecycle actions."""
    user = request.user
    retired = artifact.status in (ArtifactStatus.DEPRECATED, ArtifactStatus.ARCHIVED)
    can_maintain = user.has_perm("catalogue.maintain_artifact", artifact)
    actions = {
        "deprecate": can_maintain and artifact.status == ArtifactStatus.PUBLISHED,
        "archive": can_maintain
        and artifact.status in (ArtifactStatus.PUBLISHED, ArtifactStatus.DEPRECATED),
        "restore": retired and user.has_perm("catalogue.restore_artifact", artifact),
    }
    # Past retirements stay visible on the artifact for good, restored ones too (Rule 6).
    # lessons_history is on the row: only an artifact that was restored pays for the query.
    history = (
        [h for h in retirement_history(user=user, artifact=artifact) if h["restored"]]
        if artifact.lessons_history
        else []
    )
    if not retired and not any(actions.values()) and not history:
        return None
    successor = None
    if artifact.superseded_by_id:
        successor = (
            visible_artifacts(user)
            .filter(pk=artifact.superseded_by_id)
            .only("slug", "title")
            .first()
        )
    retired_by = None
    if artifact.retired_by_id:
        retired_by = (
            get_user_model()
            .objects.filter(pk=artifact.retired_by_id)
            .values_list("username", flat=True)
            .first()
        )
    return {
        "artifact": artifact,
        "retired": retired,
        "actions": actions,
        "successor": successor,
        "retired_by": retired_by,
        "history": history,
    }


register(
    Panel(
        key="retirement",
        template="catalogue/retirement/panel.html",
        context=retirement_panel,
        order=1,
    )
)
