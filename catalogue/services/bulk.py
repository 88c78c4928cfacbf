"""Bulk import and export: contributor batches, background jobs and their progress."""

import logging
import tempfile
import time
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import QueryDict
from django.utils import timezone

from ..models import Artifact, Authorship, BackgroundJob, Contributor, Lineage, Team, Version
from ..permissions import can_register_for_team
from ..rules import Reason, RuleViolation
from . import artifacts as core
from . import contributors as contributor_services
from .audit import audit_context, audit_event_build, audit_events_write

logger = logging.getLogger(__name__)

IMPORT_JOB = "artifact_import"
EXPORT_JOB = "artifact_export"


def contributors_create_batch(*, acting_user, specs: list[dict], reason: str = "") -> list[Contributor]:
    """Create contributors in one insert, with the same rules as `contributor_create`.

    A spec may carry a `pseudonym` (exchanged between catalogues) instead of generating one.
    Raises ValidationError keyed by each spec's reference (pseudonym or external_ref).
    """
    errors: dict[str, list[str]] = {}
    rows = []
    for spec in specs:
        ref = spec.get("pseudonym") or spec.get("external_ref") or ""
        fields = {k: spec.get(k, "") for k in ("kind", "organisation", "external_ref")}
        try:
            fields = contributor_services.clean_fields(fields)
        except ValidationError as exc:
            errors[ref] = [m for messages in exc.message_dict.values() for m in messages]
            continue
        rows.append(Contributor(pseudonym=spec["pseudonym"], **fields) if spec.get("pseudonym") else Contributor(**fields))
    if errors:
        raise ValidationError(errors)
    contributor_services.ensure_may_write(acting_user, {})
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "contributors imported"):
        created = Contributor.objects.bulk_create(rows)
        audit_events_write([
            audit_event_build(
                actor=acting_user, action="contributor.created", obj=contributor, reason=reason,
                changes=contributor_services.redact_personal_data({
                    k: [None, getattr(contributor, k)] for k in ("kind", "organisation", "external_ref", "pseudonym")
                    if getattr(contributor, k)
                }),
            )
            for contributor in created
        ])
    return created


def artifacts_register_batch(*, acting_user, items: list[dict], reason: str = "") -> list[Artifact]:
    """`artifact_register` for many new artifacts at once, with the same rules and audit events.

    Each item holds artifact_register's arguments plus `versions` ([{version, changelog, uri}],
    oldest first; the last becomes current). A parent may be another item, named by its slug
    (and its version by the version string). Lookups and inserts are batched per table; the
    audit trail gets the same `artifact.registered` and `version.created` events.
    """
    prepared, slugs = [], set()
    for item in items:
        fields = core.clean_fields({
            k: item.get(k, default) for k, default in (
                ("owner_team", None), ("title", ""), ("kind", ""), ("summary", ""), ("intent", ""),
                ("constraints", ""), ("constraint_tags", []), ("sensitivity", "internal"),
                ("customer_derived", False), ("tags", []), ("channels", []), ("authors", []),
            )
        })
        slug = core.clean_slug(item.get("slug"))
        if slug in slugs:
            raise ValidationError({"slug": [f"'{slug}' is listed twice."]})
        slugs.add(slug)
        if not can_register_for_team(acting_user, fields["owner_team"]):
            raise PermissionDenied("You may register artifacts only for your own teams.")
        core.ensure_credit_within_one(fields["authors"])
        parents = list(item.get("parents", ()))
        errors: dict[str, list[str]] = {}
        core.clean_parents([_probe(i, p) for i, p in enumerate(parents)], errors)
        if errors:
            raise ValidationError(errors)
        core.ensure_parents_visible(acting_user, [p for p in parents if not isinstance(p["artifact"], str)])
        cleaned_versions = [core.clean_version(v.get("version", ""), v.get("changelog", ""), v.get("uri", "")) for v in item.get("versions", ())]
        prepared.append((slug, fields, parents, cleaned_versions))
    labels = {slug: {v for v, _, _ in vs} for slug, _, _, vs in prepared}
    for _, _, parents, _ in prepared:
        for p in parents:
            if isinstance(p["artifact"], str) and isinstance(p.get("version"), str) and p["version"] not in labels.get(p["artifact"], ()):
                raise ValidationError({"parents": [f"'{p['artifact']}' has no version '{p['version']}'."]})
    _ensure_batch_acyclic(prepared)
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "artifacts registered"):
        taken = sorted(Artifact.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if taken:
            raise ValidationError({"slug": [f"'{taken[0]}': {core.slug_unavailable_message(taken[0])}"]})
        if any(parents for _, _, parents, _ in prepared):
            core.lock_lineage()
        creator = core.user_or_none(acting_user)
        artifacts = Artifact.objects.bulk_create([
            Artifact(slug=slug, created_by=creator, **{k: v for k, v in fields.items() if k != "authors"})
            for slug, fields, _, _ in prepared
        ], batch_size=1000)
        by_slug = {a.slug: a for a in artifacts}
        Authorship.objects.bulk_create([
            Authorship(artifact=by_slug[slug], **author) for slug, fields, _, _ in prepared for author in fields["authors"]
        ], batch_size=1000)
        created_versions = Version.objects.bulk_create([
            Version(artifact=by_slug[slug], version=v, changelog=c, uri=u, created_by=creator)
            for slug, _, _, vs in prepared for v, c, u in vs
        ], batch_size=1000)
        new_versions = {(v.artifact.slug, v.version): v for v in created_versions}
        for slug, _, _, vs in prepared:
            if vs:
                by_slug[slug].current_version = new_versions[(slug, vs[-1][0])]
        Artifact.objects.bulk_update([a for a in artifacts if a.current_version_id], ["current_version"], batch_size=1000)
        links = Lineage.objects.bulk_create([
            Lineage(
                child=by_slug[slug], relation=p["relation"],
                parent=by_slug[p["artifact"]] if isinstance(p["artifact"], str) else p["artifact"],
                parent_version=new_versions[(p["artifact"], p["version"])] if isinstance(p.get("version"), str) else p.get("version"),
            )
            for slug, _, parents, _ in prepared for p in parents
        ], batch_size=1000)
        links_of: dict[str, list[Lineage]] = {}
        for link in links:
            links_of.setdefault(link.child.slug, []).append(link)
        events = []
        for slug, fields, _, vs in prepared:
            artifact = by_slug[slug]
            authors = fields.pop("authors")
            events.append(audit_event_build(
                actor=acting_user, action="artifact.registered", obj=artifact, reason=reason,
                changes={
                    **{k: [None, v.slug if isinstance(v, Team) else v] for k, v in fields.items()},
                    "authors": [None, core.author_changes(authors)],
                    "parents": [None, core.lineage_changes(links_of.get(slug, []))],
                },
            ))
            events.extend(
                audit_event_build(
                    actor=acting_user, action="version.created", obj=new_versions[(slug, version)], artifact=artifact,
                    reason=reason, changes={"version": [None, version], "uri": [None, uri]},
                )
                for version, _, uri in vs
            )
        audit_events_write(events)
    return artifacts


def _probe(index: int, link: dict) -> dict:
    """A parent named by slug (created in the same batch) stands in for the shared cleaning."""
    if not isinstance(link["artifact"], str):
        return link
    parent = SimpleNamespace(pk=-1 - index, slug=link["artifact"])
    version = SimpleNamespace(pk=None, artifact_id=parent.pk) if link.get("version") else None
    return {"artifact": parent, "relation": link.get("relation"), "version": version}


def _ensure_batch_acyclic(prepared: list) -> None:
    """New artifacts have no children yet, so only links among the batch itself can loop."""
    parents = {slug: {p["artifact"] for p in links if isinstance(p["artifact"], str)} for slug, _, links, _ in prepared}
    unknown = {p for ps in parents.values() for p in ps} - set(parents)
    if unknown:
        raise ValidationError({"parents": [f"Unknown artifact '{sorted(unknown)[0]}'."]})
    done: set[str] = set()
    for start in parents:
        path, stack = set(), [(start, iter(parents[start]))]
        path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.discard(node)
                done.add(node)
            elif child in path:
                raise RuleViolation(
                    "That link would make the lineage circular.",
                    [Reason("lineage.cycle", f"'{child}' would derive from itself through '{node}'.")],
                )
            elif child not in done:
                path.add(child)
                stack.append((child, iter(parents[child])))


# --- jobs -------------------------------------------------------------------------------


def _queue(task, job_id: int) -> None:
    transaction.on_commit(lambda: task.delay(job_id))


def import_job_create(*, acting_user, data: bytes, filename: str, dry_run: bool, total: int) -> BackgroundJob:
    """Store the upload and queue its import on a worker (after this transaction commits)."""
    from ..tasks import run_import_job

    if not getattr(acting_user, "pk", None):
        raise PermissionDenied("Sign in to import.")
    with transaction.atomic():
        job = BackgroundJob(
            kind=IMPORT_JOB, created_by=acting_user, total=total,
            params={"dry_run": dry_run, "filename": filename[:200]},
        )
        job.input_file.save(f"import-{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}", ContentFile(data), save=False)
        job.save()
        _queue(run_import_job, job.pk)
    return job


def export_job_create(*, acting_user, fmt: str, query: str, total: int) -> BackgroundJob:
    """Queue an export of the user's filtered catalogue view; the file is kept on the job."""
    from ..tasks import run_export_job

    with transaction.atomic():
        job = BackgroundJob.objects.create(
            kind=EXPORT_JOB, created_by=acting_user, total=total, params={"format": fmt, "query": query},
        )
        _queue(run_export_job, job.pk)
    return job


def _claim(job_id: int, kind: str) -> BackgroundJob | None:
    """Mark a queued job running; None when it is gone or already handled (redelivery)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update(of=("self",)).filter(pk=job_id, kind=kind).select_related("created_by").first()
        if job is None or job.status in (BackgroundJob.Status.SUCCEEDED, BackgroundJob.Status.FAILED):
            return None
        job.status = BackgroundJob.Status.RUNNING
        job.save(update_fields=["status"])
    return job


def _finish(job: BackgroundJob, *, ok: bool, result: dict, **extra) -> None:
    job.status = BackgroundJob.Status.SUCCEEDED if ok else BackgroundJob.Status.FAILED
    job.result = result
    job.finished_at = timezone.now()
    for name, value in extra.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "result", "finished_at", *extra])


class ProgressWriter:
    """Writes progress from inside a long transaction through its own autocommit connection,
    so the page polling the job sees it move; skips (never waits) while the row is locked."""

    SQL = (
        "UPDATE catalogue_backgroundjob SET progress = %s, total = %s WHERE id = "
        "(SELECT id FROM catalogue_backgroundjob WHERE id = %s FOR UPDATE SKIP LOCKED)"
    )

    def __init__(self, job_id: int, *, interval: float = 0.5):
        self.job_id, self.interval, self.last = job_id, interval, 0.0
        self.done = self.total = 0
        self.connection: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if done != total and now - self.last < self.interval:
            return
        self.last = now
        try:
            connection = self.connection or connections.create_connection("default")
            self.connection = connection
            with connection.cursor() as cursor:
                cursor.execute(self.SQL, [done, total, self.job_id])
        except Exception:  # noqa: BLE001 - progress is cosmetic; the import must not fail for it
            logger.warning("could not record progress of job %s", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def import_job_run(*, job_id: int, progress: ProgressWriter | None = None) -> BackgroundJob | None:
    """Run a queued import as its creator; idempotent (a finished job is left alone)."""
    from ..bulk.formats import FileProblem, parse
    from ..bulk.importer import import_rows

    job = _claim(job_id, IMPORT_JOB)
    if job is None:
        return None
    progress = progress or ProgressWriter(job.pk)
    dry_run = bool(job.params.get("dry_run"))
    try:
        with job.input_file.open("rb") as handle:
            data = handle.read()
        parsed = parse(data, filename=job.params.get("filename", ""))
        report = import_rows(
            parsed.rows, acting_user=job.created_by, dry_run=dry_run,
            source=parsed.format, progress=progress, reason=f"bulk import of {job.params.get('filename', 'a file')}",
        )
    except FileProblem as exc:
        _finish(job, ok=False, result={"errors": [e.as_dict() for e in exc.errors], "dry_run": dry_run})
        return job
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(job, ok=False, result={"errors": [{"row": None, "column": "", "message": "The import failed unexpectedly; nothing was imported."}], "dry_run": dry_run})
        return job
    finally:
        progress.close()
    _finish(job, ok=report.ok, result=report.as_dict(), progress=job.total or report.rows, total=job.total or report.rows)
    return job


def export_job_run(*, job_id: int) -> BackgroundJob | None:
    """Write a queued export to the job's output file as its creator; idempotent."""
    from ..bulk.exporter import export_queryset, iter_csv, iter_json

    job = _claim(job_id, EXPORT_JOB)
    if job is None:
        return None
    fmt = job.params.get("format", "csv")
    queryset = export_queryset(user=job.created_by, params=QueryDict(job.params.get("query", "")))
    progress = ProgressWriter(job.pk)
    writer = iter_csv if fmt == "csv" else iter_json
    # The request only counted far enough to choose a job; the worker can afford the full count.
    chunks = writer(queryset, progress=progress, total=queryset.order_by().count())
    try:
        with tempfile.TemporaryFile() as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8"))
            handle.seek(0)
            job.output_file.save(f"export-{job.pk}.{fmt}", File(handle), save=False)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _finish(job, ok=False, result={"detail": "the export failed unexpectedly"})
        return job
    finally:
        progress.close()
    _finish(job, ok=True, result={"rows": progress.done}, output_file=job.output_file)
    return job
