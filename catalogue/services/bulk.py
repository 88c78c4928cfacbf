"""Batch writes for bulk import: contributors and artifacts in one audited transaction each."""

import logging
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..models import Artifact, Authorship, Contributor, Lineage, Team, Version
from ..permissions import can_register_for_team
from ..rules import Reason, RuleViolation
from . import artifacts as core
from . import contributors as contributor_services
from .audit import audit_context, audit_event_build, audit_events_write

logger = logging.getLogger(__name__)


def contributors_create_batch(
    *, acting_user, specs: list[dict], reason: str = ""
) -> list[Contributor]:
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
        rows.append(
            Contributor(pseudonym=spec["pseudonym"], **fields)
            if spec.get("pseudonym")
            else Contributor(**fields)
        )
    if errors:
        raise ValidationError(errors)
    contributor_services.ensure_may_write(acting_user, {})
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "contributors imported"),
    ):
        created = Contributor.objects.bulk_create(rows)
        audit_events_write(
            [
                audit_event_build(
                    actor=acting_user,
                    action="contributor.created",
                    obj=contributor,
                    reason=reason,
                    changes=contributor_services.redact_personal_data(
                        {
                            k: [None, getattr(contributor, k)]
                            for k in ("kind", "organisation", "external_ref", "pseudonym")
                            if getattr(contributor, k)
                        }
                    ),
                )
                for contributor in created
            ]
        )
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
        fields = core.clean_fields(
            {
                k: item.get(k, default)
                for k, default in (
                    ("owner_team", None),
                    ("title", ""),
                    ("kind", ""),
                    ("summary", ""),
                    ("intent", ""),
                    ("constraints", ""),
                    ("constraint_tags", []),
                    ("sensitivity", "internal"),
                    ("customer_derived", False),
                    ("tags", []),
                    ("channels", []),
                    ("authors", []),
                )
            }
        )
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
        core.ensure_parents_visible(
            acting_user, [p for p in parents if not isinstance(p["artifact"], str)]
        )
        cleaned_versions = [
            core.clean_version(v.get("version", ""), v.get("changelog", ""), v.get("uri", ""))
            for v in item.get("versions", ())
        ]
        prepared.append((slug, fields, parents, cleaned_versions))
    labels = {slug: {v for v, _, _ in vs} for slug, _, _, vs in prepared}
    for _, _, parents, _ in prepared:
        for p in parents:
            if (
                isinstance(p["artifact"], str)
                and isinstance(p.get("version"), str)
                and p["version"] not in labels.get(p["artifact"], ())
            ):
                raise ValidationError(
                    {"parents": [f"'{p['artifact']}' has no version '{p['version']}'."]}
                )
    _ensure_batch_acyclic(prepared)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "artifacts registered"),
    ):
        taken = sorted(Artifact.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if taken:
            raise ValidationError(
                {"slug": [f"'{taken[0]}': {core.slug_unavailable_message(taken[0])}"]}
            )
        if any(parents for _, _, parents, _ in prepared):
            core.lock_lineage()
        creator = core.user_or_none(acting_user)
        artifacts = Artifact.objects.bulk_create(
            [
                Artifact(
                    slug=slug,
                    created_by=creator,
                    **{k: v for k, v in fields.items() if k != "authors"},
                )
                for slug, fields, _, _ in prepared
            ],
            batch_size=1000,
        )
        by_slug = {a.slug: a for a in artifacts}
        Authorship.objects.bulk_create(
            [
                Authorship(artifact=by_slug[slug], **author)
                for slug, fields, _, _ in prepared
                for author in fields["authors"]
            ],
            batch_size=1000,
        )
        created_versions = Version.objects.bulk_create(
            [
                Version(artifact=by_slug[slug], version=v, changelog=c, uri=u, created_by=creator)
                for slug, _, _, vs in prepared
                for v, c, u in vs
            ],
            batch_size=1000,
        )
        new_versions = {(v.artifact.slug, v.version): v for v in created_versions}
        for slug, _, _, vs in prepared:
            if vs:
                by_slug[slug].current_version = new_versions[(slug, vs[-1][0])]
        Artifact.objects.bulk_update(
            [a for a in artifacts if a.current_version_id], ["current_version"], batch_size=1000
        )
        links = Lineage.objects.bulk_create(
            [
                Lineage(
                    child=by_slug[slug],
                    relation=p["relation"],
                    parent=by_slug[p["artifact"]]
                    if isinstance(p["artifact"], str)
                    else p["artifact"],
                    parent_version=new_versions[(p["artifact"], p["version"])]
                    if isinstance(p.get("version"), str)
                    else p.get("version"),
                )
                for slug, _, parents, _ in prepared
                for p in parents
            ],
            batch_size=1000,
        )
        links_of: dict[str, list[Lineage]] = {}
        for link in links:
            links_of.setdefault(link.child.slug, []).append(link)
        events = []
        for slug, fields, _, vs in prepared:
            artifact = by_slug[slug]
            authors = fields.pop("authors")
            events.append(
                audit_event_build(
                    actor=acting_user,
                    action="artifact.registered",
                    obj=artifact,
                    reason=reason,
                    changes={
                        **{
                            k: [None, v.slug if isinstance(v, Team) else v]
                            for k, v in fields.items()
                        },
                        "authors": [None, core.author_changes(authors)],
                        "parents": [None, core.lineage_changes(links_of.get(slug, []))],
                    },
                )
            )
            events.extend(
                audit_event_build(
                    actor=acting_user,
                    action="version.created",
                    obj=new_versions[(slug, version)],
                    artifact=artifact,
                    reason=reason,
                    changes={"version": [None, version], "uri": [None, uri]},
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
    parents = {
        slug: {p["artifact"] for p in links if isinstance(p["artifact"], str)}
        for slug, _, links, _ in prepared
    }
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
                    [
                        Reason(
                            "lineage.cycle", f"'{child}' would derive from itself through '{node}'."
                        )
                    ],
                )
            elif child not in done:
                path.add(child)
                stack.append((child, iter(parents[child])))
