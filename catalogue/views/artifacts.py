"""The artifact page, register / edit / new-version forms and lifecycle buttons.

Views adapt: they bind forms, call one service, and turn `RuleViolation`, `PermissionDenied`
and field-keyed `ValidationError` into form errors or messages (never a 500).
"""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ..downloads import file_download
from ..forms.artifacts import (
    ArtifactForm,
    AuthorFormSet,
    ParentFormSet,
    VersionForm,
    author_initial,
    contributor_label,
    parent_initial,
    registrable_teams,
)
from ..lineage_graph import lineage_view
from ..models import Artifact, Attachment, Authorship, Contributor, Version
from ..models.choices import ArtifactStatus, Channel
from ..querysets import visible_artifacts
from ..resemblance import resembling_archived
from ..rules import RuleViolation
from ..search import ensure_trigram_threshold
from ..selectors.artifacts import artifact_get
from ..selectors.contributors import record_personal_data_view, shows_personal_data
from ..selectors.preload import from_json_rows, json_rows
from ..services.artifacts import artifact_register, artifact_update, version_create
from ..services.contributors import contributor_create
from ..services.lifecycle import artifact_publish, artifact_submit
from ..services.privacy import record_access
from ..services.uploads import attachment_add
from .common import add_validation_errors
from .panels import panel_loads, render_panels

# Rule codes whose messages belong next to the authors or the parents rather than the form.
ERROR_PLACES = {"authorship.": "authors", "lineage.": "parents", "facts.lineage": "parents"}


# --- the artifact page ---------------------------------------------------------------------


VERSIONS_SHOWN = 30


def _page_loads() -> dict:
    """The artifact page's own lists, as columns of its artifact query."""
    return {
        "page_authorships": json_rows(
            Authorship.objects.filter(artifact=OuterRef("pk")).order_by("id"),
            related=["contributor"],
        ),
        "page_versions": json_rows(
            Version.objects.filter(artifact=OuterRef("pk")).order_by("-created_at", "-id")[
                :VERSIONS_SHOWN
            ]
        ),
    }


@require_GET
def artifact_detail_view(request, slug):
    """One-page summary of an artifact; personal data only for legal/admins, and audited."""
    user = request.user
    # One query brings the artifact with every list its page and panels show (selectors.preload).
    artifact = artifact_get(
        user=user, slug=slug, links=False, preload={**_page_loads(), **panel_loads(user)}
    )
    # page_authorships / page_versions are annotations named by _page_loads(): the model type cannot know them.
    loaded = cast(Any, artifact)
    authorships = from_json_rows(Authorship, loaded.page_authorships, related=["contributor"])
    personal = shows_personal_data(user)
    if personal:
        record_personal_data_view(user=user, contributors=[a.contributor for a in authorships])
    versions = from_json_rows(Version, loaded.page_versions)
    files_allowed = user.has_perm("catalogue.view_artifact_files", artifact)
    attachments: dict[int, list] = {}
    if files_allowed and versions:
        for att in Attachment.objects.filter(version__in=versions).order_by("uploaded_at", "id"):
            attachments.setdefault(att.version_id, []).append(att)
    for version in versions:
        version.attachment_list = attachments.get(version.pk, [])
    successor = None
    if artifact.superseded_by_id and user.has_perm(
        "catalogue.view_artifact", artifact.superseded_by
    ):
        successor = artifact.superseded_by
    can_edit = user.has_perm("catalogue.change_artifact", artifact) and not artifact.is_archived
    can_maintain = (
        user.has_perm("catalogue.maintain_artifact", artifact) and not artifact.is_archived
    )
    channel_labels = dict(Channel.choices)
    lineage = lineage_view(user=user, artifact=artifact)
    context = {
        "artifact": artifact,
        "authorships": authorships,
        "show_personal_data": personal,
        "credit_total": sum((a.credit_share for a in authorships), 0),
        "versions": versions,
        "files_allowed": files_allowed,
        "successor": successor,
        "lineage": lineage,
        "lineage_svg": lineage.svg() if not lineage.is_empty else "",
        "channels": [channel_labels.get(c, c) for c in artifact.channels],
        "can_edit": can_edit,
        "can_add_version": can_edit,
        "can_submit": can_edit and artifact.status == ArtifactStatus.DRAFT,
        "can_publish": can_maintain
        and artifact.status in (ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW),
        "can_publish_versions": can_maintain and artifact.status == ArtifactStatus.PUBLISHED,
        "panels": render_panels(request, artifact),
    }
    return render(request, "catalogue/artifact_detail.html", context)


# --- register and edit ---------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside a transaction to validate through the services without saving."""


def _forms(request, artifact: Artifact | None):
    user = request.user
    data = request.POST if request.method == "POST" else None
    if artifact is None:
        own = Contributor.objects.filter(user=user).first() if data is None else None
        authors_initial = (
            [{"contributor": own.pseudonym, "role": "originator", "credit_share": 1}]
            if own
            else None
        )
        parents_initial = None
    else:
        authors_initial = author_initial(artifact.authorships.all())
        parents_initial = parent_initial(artifact.parent_links.all())
    url = _validate_url(artifact)
    form = ArtifactForm(data, user=user, artifact=artifact, validate_url=url)
    kwargs = {"user": user, "validate_url": url}
    authors = AuthorFormSet(data, prefix="authors", initial=authors_initial, form_kwargs=kwargs)
    parents = ParentFormSet(data, prefix="parents", initial=parents_initial, form_kwargs=kwargs)
    return form, authors, parents


def _validate_url(artifact: Artifact | None) -> str:
    if artifact is None:
        return reverse("catalogue:artifact_validate")
    return reverse("catalogue:artifact_edit_validate", args=[artifact.slug])


def _all_valid(form, authors, parents) -> bool:
    # Validate all three so every error shows at once.
    return all([form.is_valid(), authors.is_valid(), parents.is_valid()])


def _save(request, form, authors, parents, artifact: Artifact | None) -> Artifact:
    """Create new contributors named in the authors rows, then register or update."""
    user = request.user
    author_rows = []
    for row in authors.rows():
        contributor = row.get("contributor")
        if contributor is None:
            contributor = contributor_create(
                acting_user=user,
                kind=row["new_kind"],
                organisation=row.get("new_organisation", ""),
                reason="named as an author",
            )
        author_rows.append(
            {"contributor": contributor, "role": row["role"], "credit_share": row["credit_share"]}
        )
    parent_rows = [
        {
            "artifact": row["artifact"],
            "relation": row["relation"],
            "version": row.get("version_obj"),
        }
        for row in parents.rows()
    ]
    fields = form.service_fields()
    if artifact is None:
        return artifact_register(
            acting_user=user, authors=author_rows, parents=parent_rows, **fields
        )
    return artifact_update(
        acting_user=user,
        artifact=artifact,
        reason=form.cleaned_data.get("reason", ""),
        authors=author_rows,
        parents=parent_rows,
        **fields,
    )


def _service_errors(exc: Exception, form) -> dict[str, list[str]]:
    """Map a service error onto the form; returns what belongs to the authors/parents blocks."""
    places: dict[str, list[str]] = {"authors": [], "parents": []}
    if isinstance(exc, RuleViolation):
        reasons = exc.reasons or []
        if not reasons:
            form.add_error(None, exc.detail)
        for reason in reasons:
            place = next(
                (p for prefix, p in ERROR_PLACES.items() if reason.code.startswith(prefix)), None
            )
            if place:
                places[place].append(reason.message)
            else:
                form.add_error(None, reason.message)
    elif isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or "You are not allowed to do this.")
    elif isinstance(exc, ValidationError):
        for field, errors in (
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        ).items():
            if field in places:
                places[field].extend(errors)
            elif field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                for error in errors:
                    form.add_error(None, error)
    return places


def _try_save(request, form, authors, parents, artifact, *, dry_run: bool):
    """Run the service; returns (artifact or None, extra errors for authors/parents)."""
    try:
        with transaction.atomic():
            saved = _save(request, form, authors, parents, artifact)
            if dry_run:
                raise _DryRun
        return saved, {}
    except _DryRun:
        return None, {}
    except (RuleViolation, PermissionDenied, ValidationError) as exc:
        return None, _service_errors(exc, form)


def _resemblance(request, form, artifact):
    if artifact is not None or not form.is_bound:
        return []
    data = form.data
    return resembling_archived(
        user=request.user,
        title=data.get("title", ""),
        summary=data.get("summary", ""),
        intent=data.get("intent", ""),
    )


def _form_page(
    request, form, authors, parents, artifact, extra_errors=None, status=200, quiet=False
):
    context = {
        "form": form,
        "authors": authors,
        "parents": parents,
        "artifact": artifact,
        "extra_errors": extra_errors or {},
        "quiet": quiet,
        "resembling": _resemblance(request, form, artifact) if not quiet else [],
        "contributor_options": _contributor_options(request, ""),
        "artifact_options": _artifact_options(request, ""),
    }
    return render(request, "catalogue/artifact_form.html", context, status=status)


def _with_extra_row(request, prefix: str):
    data = request.POST.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, "0")) + 1, 50))
    except ValueError:
        data[key] = "1"
    request.POST = data


def _handle_form(request, artifact: Artifact | None):
    if request.method == "POST":
        for prefix in ("authors", "parents"):
            if f"add_{prefix}" in request.POST:
                # No-JS "add another row": re-show the form with one more blank row, no errors.
                _with_extra_row(request, prefix)
                form, authors, parents = _forms(request, artifact)
                return _form_page(request, form, authors, parents, artifact, quiet=True)
        form, authors, parents = _forms(request, artifact)
        if _all_valid(form, authors, parents):
            saved, extra = _try_save(request, form, authors, parents, artifact, dry_run=False)
            if saved is not None:
                verb = "registered" if artifact is None else "saved"
                messages.success(request, f"“{saved.title}” {verb}.")
                return redirect("catalogue:artifact_detail", slug=saved.slug)
            return _form_page(request, form, authors, parents, artifact, extra, status=400)
        return _form_page(request, form, authors, parents, artifact, status=400)
    form, authors, parents = _forms(request, artifact)
    return _form_page(request, form, authors, parents, artifact)


def _ensure_can_register(user) -> None:
    if not registrable_teams(user).exists():
        raise PermissionDenied("Only contributors can register artifacts, for their own teams.")


def artifact_create_view(request):
    """Register an artifact (contributors for their own teams; admins for any)."""
    _ensure_can_register(request.user)
    return _handle_form(request, None)


def _editable(request, slug) -> Artifact:
    artifact = artifact_get(user=request.user, slug=slug)
    if not request.user.has_perm("catalogue.change_artifact", artifact):
        raise PermissionDenied("Only the owner team can edit this artifact.")
    return artifact


def artifact_edit_view(request, slug):
    """Edit an artifact of one of the user's teams; archived artifacts are read-only."""
    artifact = _editable(request, slug)
    if artifact.is_archived:
        messages.error(
            request,
            "This artifact is archived and read-only: it cannot be edited. "
            "An admin can restore it if it should change.",
        )
        return redirect("catalogue:artifact_detail", slug=artifact.slug)
    return _handle_form(request, artifact)


def _touched(request, name: str) -> bool:
    return bool(request.POST.get(name)) or request.headers.get("HX-Trigger-Name") == name


@require_POST
def artifact_validate_view(request, slug=None):
    """Inline validation (htmx): the form's errors as out-of-band fragments, nothing saved.

    Errors of empty fields show only for the field just left, so a half-filled form is not
    covered in red. When the form is valid the service runs and is rolled back.
    """
    if slug is None:
        _ensure_can_register(request.user)
        artifact = None
    else:
        artifact = _editable(request, slug)
    form, authors, parents = _forms(request, artifact)
    extra = {}
    if _all_valid(form, authors, parents):
        _, extra = _try_save(request, form, authors, parents, artifact, dry_run=True)
    fields = []
    for f in [form, *authors.forms, *parents.forms]:
        for bound in f:
            if bound.is_hidden or not _touched(request, bound.html_name):
                continue
            fields.append({"id": f"err-{bound.html_name}", "errors": bound.errors})
        if f is not form:
            fields.append({"id": f"err-{f.prefix}-row", "errors": f.non_field_errors()})
    blocks = [
        {"id": "err-form", "errors": form.non_field_errors()},
        {"id": "err-authors", "errors": [*authors.non_form_errors(), *extra.get("authors", [])]},
        {"id": "err-parents", "errors": [*parents.non_form_errors(), *extra.get("parents", [])]},
    ]
    context = {
        "fields": fields,
        "blocks": blocks,
        "resembling": _resemblance(request, form, artifact),
        "show_resemblance": artifact is None,
    }
    return render(request, "catalogue/partials/form_errors_oob.html", context)


# --- lookups for the authors / parents inputs ----------------------------------------------


def _lookup_term(request) -> str:
    # The inputs send their own value under their formset name; take the first one given.
    for key, value in request.GET.items():
        if value.strip() and key != "kind":
            return value.strip()
    return ""


def _contributor_options(request, term: str) -> list[dict]:
    qs = Contributor.objects.select_related("user").order_by("-id")
    if term:
        # Never by legal name or email here: the options are shown to everyone (Rule 8).
        qs = qs.filter(
            Q(pseudonym__icontains=term)
            | Q(organisation__icontains=term)
            | Q(user__username__icontains=term)
        )
    own = list(Contributor.objects.filter(user=request.user)) if not term else []
    rows = own + [c for c in qs[:30] if c not in own]
    return [
        {
            "value": c.pseudonym,
            "label": contributor_label(c)
            + (f" · {c.user.username}" if c.user_id and c.user else ""),
        }
        for c in rows
    ]


def _artifact_options(request, term: str) -> list[dict]:
    qs = visible_artifacts(request.user).only("slug", "title").order_by("-created_at", "-id")
    if term:
        ensure_trigram_threshold(qs.db)
        qs = qs.filter(
            Q(slug__icontains=term) | Q(title__icontains=term) | Q(title__trigram_word_similar=term)
        )
    return [{"value": a.slug, "label": a.title} for a in qs[:30]]


@require_GET
def contributor_lookup_view(request):
    options = _contributor_options(request, _lookup_term(request))
    return render(request, "catalogue/partials/options.html", {"options": options})


@require_GET
def artifact_lookup_view(request):
    options = _artifact_options(request, _lookup_term(request))
    return render(request, "catalogue/partials/options.html", {"options": options})


# --- versions and files --------------------------------------------------------------------


def version_create_view(request, slug):
    """Add a version (and optionally a content-checked file) to one of the user's teams' artifacts."""
    artifact = _editable(request, slug)
    if artifact.is_archived:
        messages.error(request, "This artifact is archived and read-only: no new versions.")
        return redirect("catalogue:artifact_detail", slug=artifact.slug)
    form = VersionForm(request.POST or None, request.FILES or None, artifact=artifact)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                version = version_create(
                    acting_user=request.user,
                    artifact=artifact,
                    version=data["version"],
                    changelog=data["changelog"],
                    uri=data["uri"],
                )
                if data.get("attachment"):
                    attachment_add(
                        acting_user=request.user,
                        version=version,
                        uploaded_file=data["attachment"],
                        declared_type=data["declared_type"],
                        is_evidence=data["is_evidence"],
                    )
        except ValidationError as exc:
            add_validation_errors(form, exc, renamed={"file": "attachment"})
        except (RuleViolation, PermissionDenied) as exc:
            reasons = [r.message for r in exc.reasons] if isinstance(exc, RuleViolation) else []
            for message in reasons or [str(exc)]:
                form.add_error(None, message)
        else:
            messages.success(request, f"Version {version.version} added.")
            return redirect("catalogue:artifact_detail", slug=artifact.slug)
    status = 400 if form.is_bound else 200
    return render(
        request, "catalogue/version_form.html", {"form": form, "artifact": artifact}, status=status
    )


@require_GET
def attachment_download_view(request, pk):
    """Serve an attachment as a download (never inline), to those who may see the files."""
    attachment = get_object_or_404(Attachment.objects.select_related("version__artifact"), pk=pk)
    artifact = attachment.version.artifact
    if not request.user.has_perm("catalogue.view_artifact", artifact):
        raise Http404("No such file.")
    if not request.user.has_perm("catalogue.view_artifact_files", artifact):
        raise PermissionDenied("This artifact's files are for its team, legal and admins.")
    if attachment.is_evidence:
        record_access(
            actor=request.user,
            action="attachment.evidence_viewed",
            obj=attachment,
            detail=f"evidence for {artifact.slug} {attachment.version.version}",
        )
    return file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- lifecycle buttons -----------------------------------------------------------------------


def _lifecycle(request, slug, action, verb: str, **extra) -> HttpResponse:
    artifact = artifact_get(user=request.user, slug=slug)
    try:
        action(
            acting_user=request.user,
            artifact=artifact,
            reason=request.POST.get("reason", ""),
            **extra,
        )
    except RuleViolation as exc:
        messages.error(request, f"Not {verb}: {exc.detail}")
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except PermissionDenied as exc:
        messages.error(request, f"Not {verb}: {exc or 'you are not allowed to do this.'}")
    except ValidationError as exc:
        messages.error(request, f"Not {verb}: {' '.join(exc.messages)}")
    else:
        messages.success(request, f"“{artifact.title}” {verb}.")
    return redirect("catalogue:artifact_detail", slug=artifact.slug)


@require_POST
def artifact_submit_view(request, slug):
    return _lifecycle(request, slug, artifact_submit, "submitted for review")


@require_POST
def artifact_publish_view(request, slug):
    """Publish the artifact, or (`version` posted) a later version of it, through the same gates."""
    label = request.POST.get("version", "").strip()
    if not label:
        return _lifecycle(request, slug, artifact_publish, "published")
    version = get_object_or_404(
        Version, artifact=artifact_get(user=request.user, slug=slug), version=label
    )
    return _lifecycle(
        request, slug, artifact_publish, f"published as version {label}", version=version
    )
