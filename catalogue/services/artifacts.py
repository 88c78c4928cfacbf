"""Artifacts, authorship, versions and lineage: every write of the core catalogue."""

import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import connection, transaction

from ..facts import LinkChange, ensure_facts_kept
from ..limits import too_long
from ..models import Artifact, Authorship, Lineage, Team, Version
from ..models.choices import ArtifactKind, AuthorRole, Channel, LineageRelation, Sensitivity
from ..permissions import can_register_for_team
from ..rules import Reason, RuleViolation, ensure_not_archived
from ..selectors.lineage import would_create_cycle
from .audit import audit_context, audit_event, diff
from .lifecycle import run_version_hooks
from .queueing import enqueue_on_commit
from .rollups import rollups_set_kind

# One transaction-level advisory lock serialises lineage writes: the cycle check and the insert
# must see every committed link, and two writers closing A->B and B->A must not both pass.
LINEAGE_LOCK_KEY = 0x6C696E656167  # "lineag"

SCALAR_FIELDS = (
    "title",
    "kind",
    "summary",
    "intent",
    "constraints",
    "constraint_tags",
    "owner_team",
    "sensitivity",
    "customer_derived",
    "tags",
    "channels",
)
SET_FIELDS = ("authors", "parents")
CREDIT_QUANTUM = Decimal("0.001")
# `Choices.values` rebuilds its list on every access; bulk import cleans thousands of rows.
# Tuples, not sets: an unhashable value from a JSON file must fail the check, not raise.
KINDS, SENSITIVITIES, CHANNELS = (
    tuple(ArtifactKind.values),
    tuple(Sensitivity.values),
    tuple(Channel.values),
)
AUTHOR_ROLES, LINEAGE_RELATIONS = tuple(AuthorRole.values), tuple(LineageRelation.values)


# --- validation (shape and vocabulary; field-keyed errors) -------------------------------


def _labels(values: Iterable | None, *, field: str, errors: dict, allowed=None) -> list[str]:
    cleaned: list[str] = []
    for raw in values or ():
        value = str(raw).strip()
        if field != "channels":
            value = value.lower()
        if not value or value in cleaned:
            continue
        if len(value) > 64:
            errors.setdefault(field, []).append(f"'{value[:20]}…' is longer than 64 characters.")
        elif allowed is not None and value not in allowed:
            errors.setdefault(field, []).append(f"'{value}' is not one of {', '.join(allowed)}.")
        cleaned.append(value)
    return cleaned


def clean_slug(value) -> str:
    """The slug stripped and lower-cased; ValidationError on `slug` unless valid and ≤120 characters."""
    slug = str(value or "").strip().lower()
    if not slug:
        raise ValidationError({"slug": ["A slug is required."]})
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError({"slug": ["Use letters, numbers, hyphens or underscores."]}) from None
    if len(slug) > 120:
        raise ValidationError({"slug": ["At most 120 characters."]})
    return slug


def clean_fields(fields: dict) -> dict:
    """Normalise and check artifact fields (shape, vocabulary); raise field-keyed ValidationError.

    Shared by the services, the API and bulk import so every path applies one set of rules.
    """
    errors: dict[str, list[str]] = {}
    out = dict(fields)
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            errors["title"] = ["A title is required."]
        elif len(out["title"]) > 200:
            errors["title"] = ["At most 200 characters."]
    if "kind" in out and out["kind"] not in KINDS:
        errors["kind"] = [f"'{out['kind']}' is not an artifact kind."]
    if "sensitivity" in out and out["sensitivity"] not in SENSITIVITIES:
        errors["sensitivity"] = [f"'{out['sensitivity']}' is not a sensitivity."]
    for name in ("summary", "intent", "constraints"):
        if name in out:
            out[name] = (out[name] or "").strip()
            if refusal := too_long(out[name]):
                errors[name] = [refusal]
    if "customer_derived" in out:
        out["customer_derived"] = bool(out["customer_derived"])
    if "owner_team" in out and not isinstance(out["owner_team"], Team):
        errors["owner_team"] = ["Choose an owner team."]
    for name in ("tags", "constraint_tags"):
        if name in out:
            out[name] = _labels(out[name], field=name, errors=errors)
    if "channels" in out:
        out["channels"] = _labels(
            out["channels"], field="channels", errors=errors, allowed=CHANNELS
        )
    if "authors" in out:
        out["authors"] = _clean_authors(out["authors"], errors)
    if "parents" in out:
        out["parents"] = clean_parents(out["parents"], errors)
    if errors:
        raise ValidationError(errors)
    return out


def _clean_authors(authors, errors: dict) -> list[dict]:
    cleaned, seen = [], set()
    for i, author in enumerate(authors or ()):
        contributor, role = author.get("contributor"), author.get("role")
        try:
            share = Decimal(str(author.get("credit_share", 0) or 0)).quantize(CREDIT_QUANTUM)
        except (InvalidOperation, ValueError):
            share = None
        if contributor is None or getattr(contributor, "pk", None) is None:
            errors.setdefault("authors", []).append(f"Author {i + 1}: choose a contributor.")
            continue
        if role not in AUTHOR_ROLES:
            errors.setdefault("authors", []).append(
                f"Author {i + 1}: '{role}' is not an author role."
            )
            continue
        if share is None or not Decimal(0) <= share <= Decimal(1):
            errors.setdefault("authors", []).append(
                f"Author {i + 1}: credit share must be between 0 and 1."
            )
            continue
        if (contributor.pk, role) in seen:
            errors.setdefault("authors", []).append(
                f"Author {i + 1}: {contributor} is already listed as {role}."
            )
            continue
        seen.add((contributor.pk, role))
        cleaned.append({"contributor": contributor, "role": role, "credit_share": share})
    return cleaned


def clean_parents(parents, errors: dict) -> list[dict]:
    """Check parent links ({artifact, relation, version}); add messages to `errors["parents"]`."""
    cleaned, seen = [], set()
    for i, link in enumerate(parents or ()):
        parent, relation, version = link.get("artifact"), link.get("relation"), link.get("version")
        if parent is None or getattr(parent, "pk", None) is None:
            errors.setdefault("parents", []).append(f"Parent {i + 1}: choose an artifact.")
        elif relation not in LINEAGE_RELATIONS:
            errors.setdefault("parents", []).append(
                f"Parent {i + 1}: '{relation}' is not a lineage relation."
            )
        elif version is not None and version.artifact_id != parent.pk:
            errors.setdefault("parents", []).append(
                f"Parent {i + 1}: that version belongs to another artifact."
            )
        elif parent.pk in seen:
            errors.setdefault("parents", []).append(
                f"Parent {i + 1}: {parent.slug} is listed twice."
            )
        else:
            seen.add(parent.pk)
            cleaned.append({"artifact": parent, "relation": relation, "version": version})
    return cleaned


def ensure_credit_within_one(authors: list[dict]) -> None:
    """Credit shares of an artifact's authors sum to at most 1."""
    total = sum((a["credit_share"] for a in authors), Decimal(0))
    if total > 1:
        raise RuleViolation(
            "Credit shares add up to more than 1.",
            [
                Reason(
                    "authorship.credit_over_one",
                    f"Credit shares sum to {total}; they may sum to at most 1.",
                )
            ],
        )


def ensure_parents_visible(user, parents: list[dict]) -> None:
    """Refuse parents the user may not see, answering as for a missing artifact (Rule 8)."""
    for link in parents:
        if not user.has_perm("catalogue.view_artifact", link["artifact"]):
            raise ValidationError({"parents": [f"Unknown artifact '{link['artifact'].slug}'."]})


# --- lineage ----------------------------------------------------------------------------


def lock_lineage() -> None:
    """Serialise lineage writes for the rest of the transaction (advisory lock)."""
    # Taken before any row lock: a writer holding a row lock while waiting here would deadlock
    # with a lineage writer whose foreign-key check waits for that row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LINEAGE_LOCK_KEY])


def _link(
    *, child: Artifact, parent: Artifact, relation: str, parent_version: Version | None
) -> Lineage:
    """Insert one lineage link; the caller took the lineage lock first in its transaction."""
    if would_create_cycle(child_id=child.pk, parent_id=parent.pk):
        raise RuleViolation(
            "That link would make the lineage circular.",
            [
                Reason(
                    "lineage.cycle",
                    f"'{parent.slug}' already derives from '{child.slug}' (or is it).",
                )
            ],
        )
    if Lineage.objects.filter(child=child, parent=parent).exists():
        raise RuleViolation(
            "These artifacts are already linked.",
            [Reason("lineage.duplicate", f"'{child.slug}' is already linked to '{parent.slug}'.")],
        )
    return Lineage.objects.create(
        child=child, parent=parent, relation=relation, parent_version=parent_version
    )


def lineage_changes(links: list[Lineage]) -> list[dict]:
    """Audit-change shape of a set of lineage links."""
    return [
        {"parent": link.parent.slug, "relation": link.relation, "version": link.parent_version_id}
        for link in links
    ]


# --- artifacts --------------------------------------------------------------------------


SLUG_UNAVAILABLE = "This slug is unavailable; choose another."


def slug_unavailable_message(slug: str) -> str:
    """The one answer for a taken slug, whoever holds it (Rule 8).

    It never says "exists" and never differs between an artifact the requester can see and one
    they may not (a restricted artifact answers 404 everywhere else). The suggestion is random,
    so it says nothing about which neighbouring slugs are taken.
    """
    return f"{SLUG_UNAVAILABLE} For example: '{slug[:111]}-{secrets.token_hex(3)}'."


def artifact_register(
    *,
    acting_user,
    owner_team: Team,
    slug: str,
    title: str,
    kind: str,
    summary: str = "",
    intent: str = "",
    constraints: str = "",
    constraint_tags=(),
    sensitivity: str = Sensitivity.INTERNAL,
    customer_derived: bool = False,
    tags=(),
    channels=(),
    authors=(),
    parents=(),
    reason: str = "",
) -> Artifact:
    """Register a draft artifact with its authors and parents (contributors: own teams only)."""
    fields = clean_fields(
        {
            "owner_team": owner_team,
            "title": title,
            "kind": kind,
            "summary": summary,
            "intent": intent,
            "constraints": constraints,
            "constraint_tags": list(constraint_tags),
            "sensitivity": sensitivity,
            "customer_derived": customer_derived,
            "tags": list(tags),
            "channels": list(channels),
            "authors": list(authors),
            "parents": list(parents),
        }
    )
    slug = clean_slug(slug)
    if not can_register_for_team(acting_user, owner_team):
        raise PermissionDenied("You may register artifacts only for your own teams.")
    authors_, parents_ = fields.pop("authors"), fields.pop("parents")
    ensure_credit_within_one(authors_)
    ensure_parents_visible(acting_user, parents_)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "artifact registered"),
    ):
        if Artifact.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": [slug_unavailable_message(slug)]})
        if parents_:
            lock_lineage()
        artifact = Artifact.objects.create(
            slug=slug, created_by=user_or_none(acting_user), **fields
        )
        Authorship.objects.bulk_create([Authorship(artifact=artifact, **a) for a in authors_])
        links = []
        if parents_:
            links = [
                _link(
                    child=artifact,
                    parent=p["artifact"],
                    relation=p["relation"],
                    parent_version=p["version"],
                )
                for p in parents_
            ]
        audit_event(
            actor=acting_user,
            action="artifact.registered",
            obj=artifact,
            reason=reason,
            changes={
                **{k: [None, v.slug if isinstance(v, Team) else v] for k, v in fields.items()},
                "authors": [None, author_changes(authors_)],
                "parents": [None, lineage_changes(links)],
            },
        )
    return artifact


def user_or_none(user):
    """The user to record as creator, or None for an anonymous/system actor."""
    return user if getattr(user, "pk", None) else None


def _author_key(contributor_id, role, share) -> tuple:
    return (contributor_id, role, Decimal(share).quantize(CREDIT_QUANTUM))


def author_changes(authors: list[dict]) -> list[dict]:
    """Audit-change shape of a set of authorships."""
    return [
        {
            "contributor": a["contributor"].pk,
            "role": a["role"],
            "credit_share": str(a["credit_share"]),
        }
        for a in authors
    ]


def artifact_update(*, acting_user, artifact: Artifact, reason: str = "", **fields) -> Artifact:
    """Change an artifact's fields; `authors`, `parents` and `tags` replace the sets.

    Locks the row, refuses archived artifacts, returns early when nothing changes.
    """
    unknown = set(fields) - set(SCALAR_FIELDS) - set(SET_FIELDS)
    if unknown:
        raise TypeError(f"artifact_update() got unexpected fields {sorted(unknown)}")
    fields = clean_fields(fields)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "artifact changed"),
    ):
        if "parents" in fields:
            lock_lineage()
        locked = (
            Artifact.objects.select_for_update(of=("self",))
            .select_related("owner_team")
            .get(pk=artifact.pk)
        )
        if not acting_user.has_perm("catalogue.change_artifact", locked):
            raise PermissionDenied("You may edit only your teams' artifacts.")
        ensure_not_archived(locked)
        new_team = fields.get("owner_team")
        if (
            new_team is not None
            and new_team.pk != locked.owner_team_id
            and not can_register_for_team(acting_user, new_team)
        ):
            raise PermissionDenied("You may move artifacts only to your own teams.")
        authors_, parents_ = fields.pop("authors", None), fields.pop("parents", None)
        changes = diff(locked, fields)
        if parents_ is not None:
            ensure_parents_visible(acting_user, parents_)
        # Rule 3: published facts only tighten through an edit; legal corrects them.
        ensure_facts_kept(
            locked,
            customer_derived=fields.get("customer_derived"),
            removed_links=_links_changed(acting_user, locked, parents_)
            if parents_ is not None
            else (),
        )
        if authors_ is not None:
            changes.update(_replace_authors(locked, authors_))
        if parents_ is not None:
            changes.update(_replace_parents(acting_user, locked, parents_))
        scalar = [name for name in changes if name in SCALAR_FIELDS]
        if not changes:
            return locked
        for name in scalar:
            setattr(locked, name, fields[name])
        locked.save(update_fields=[*scalar, "updated_at"])
        if "kind" in scalar:
            rollups_set_kind(artifact_id=locked.pk, kind=locked.kind)
        audit_event(
            actor=acting_user, action="artifact.updated", obj=locked, reason=reason, changes=changes
        )
    return locked


def _replace_authors(artifact: Artifact, authors: list[dict]) -> dict:
    current = list(artifact.authorships.select_related("contributor"))
    old = sorted(_author_key(a.contributor_id, a.role, a.credit_share) for a in current)
    new = sorted(_author_key(a["contributor"].pk, a["role"], a["credit_share"]) for a in authors)
    if old == new:
        return {}
    ensure_credit_within_one(authors)
    artifact.authorships.all().delete()
    Authorship.objects.bulk_create([Authorship(artifact=artifact, **a) for a in authors])
    before = [
        {"contributor": a.contributor_id, "role": a.role, "credit_share": str(a.credit_share)}
        for a in current
    ]
    return {"authors": [before, author_changes(authors)]}


def _visible_links(user, artifact: Artifact) -> list[Lineage]:
    current = list(artifact.parent_links.select_related("parent", "parent_version"))
    # Links to parents this user cannot see are neither shown to them nor removed by them.
    return [link for link in current if user.has_perm("catalogue.view_artifact", link.parent)]


def _link_key(parent_id, relation, version_id) -> tuple:
    return (parent_id, relation, version_id)


def _links_changed(user, artifact: Artifact, parents: list[dict]) -> list[LinkChange]:
    """Existing links that replacing the parents with `parents` would remove or alter."""
    wanted = {p["artifact"].pk: p for p in parents}
    out = []
    for link in _visible_links(user, artifact):
        p = wanted.get(link.parent_id)
        if p is None:
            out.append(LinkChange(parent_slug=link.parent.slug))
        elif _link_key(
            p["artifact"].pk, p["relation"], getattr(p["version"], "pk", None)
        ) != _link_key(link.parent_id, link.relation, link.parent_version_id):
            version = f" (version {p['version'].version})" if p["version"] is not None else ""
            out.append(
                LinkChange(parent_slug=link.parent.slug, relation=f"{p['relation']}{version}")
            )
    return out


def _replace_parents(user, artifact: Artifact, parents: list[dict]) -> dict:
    visible = _visible_links(user, artifact)
    wanted = {
        _link_key(p["artifact"].pk, p["relation"], getattr(p["version"], "pk", None)): p
        for p in parents
    }
    have = {
        _link_key(link.parent_id, link.relation, link.parent_version_id): link for link in visible
    }
    if set(wanted) == set(have):
        return {}
    removed = [link for key, link in have.items() if key not in wanted]
    Lineage.objects.filter(pk__in=[link.pk for link in removed]).delete()
    added = [
        _link(
            child=artifact,
            parent=p["artifact"],
            relation=p["relation"],
            parent_version=p["version"],
        )
        for key, p in wanted.items()
        if key not in have
    ]
    kept = [link for key, link in have.items() if key in wanted]
    return {"parents": [lineage_changes(visible), lineage_changes(kept + added)]}


# --- versions ---------------------------------------------------------------------------


def clean_version(version: str, changelog: str, uri: str) -> tuple[str, str, str]:
    """Strip and check a version string, changelog and URI; raise field-keyed ValidationError."""
    errors: dict[str, list[str]] = {}
    version, changelog, uri = (
        (version or "").strip(),
        (changelog or "").strip(),
        (uri or "").strip(),
    )
    if not version:
        errors["version"] = ["A version string is required."]
    elif len(version) > 40:
        errors["version"] = ["At most 40 characters."]
    if refusal := too_long(changelog):
        errors["changelog"] = [refusal]
    if uri:
        try:
            URLValidator()(uri)
        except ValidationError:
            errors["uri"] = ["Enter a valid URL."]
    if errors:
        raise ValidationError(errors)
    return version, changelog, uri


def version_create(
    *,
    acting_user,
    artifact: Artifact,
    version: str,
    changelog: str = "",
    uri: str = "",
    reason: str = "",
) -> Version:
    """Add an unpublished version (artifact row locked); runs lifecycle.VERSION_HOOKS.

    It becomes `current_version` only while no version is published: after that the current
    version is the newest published one, and this one waits for `artifact_publish` (Rule 1).
    """
    version, changelog, uri = clean_version(version, changelog, uri)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or f"version {version} added"),
    ):
        locked = (
            Artifact.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .get(pk=artifact.pk)
        )
        if not acting_user.has_perm("catalogue.change_artifact", locked):
            raise PermissionDenied("You may add versions only to your teams' artifacts.")
        ensure_not_archived(locked)
        if locked.versions.filter(version=version).exists():
            raise ValidationError({"version": [f"Version {version} already exists."]})
        new = Version.objects.create(
            artifact=locked,
            version=version,
            changelog=changelog,
            uri=uri,
            created_by=user_or_none(acting_user),
        )
        if locked.current_version is None or locked.current_version.published_at is None:
            locked.current_version = new
        locked.save(update_fields=["current_version", "updated_at"])
        audit_event(
            actor=acting_user,
            action="version.created",
            obj=new,
            artifact=locked,
            reason=reason,
            changes={"version": [None, version], "uri": [None, uri]},
        )
        run_version_hooks(locked, new, acting_user)
        enqueue_on_commit(
            "notify_new_version", new.pk, recovery="watchers were not told of this version"
        )
    artifact.current_version = locked.current_version
    return new


def version_update(*, acting_user, version: Version, reason: str = "", **fields) -> Version:
    """Edit an unpublished version's changelog or URI; published versions are immutable."""
    unknown = set(fields) - {"version", "changelog", "uri"}
    if unknown:
        raise TypeError(f"version_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "version changed"):
        locked = (
            Version.objects.select_for_update(of=("self",))
            .select_related("artifact")
            .get(pk=version.pk)
        )
        if not acting_user.has_perm("catalogue.change_artifact", locked.artifact):
            raise PermissionDenied("You may edit only your teams' artifacts.")
        ensure_not_archived(locked.artifact)
        if locked.published_at is not None:
            raise RuleViolation(
                "Published versions cannot change.",
                [
                    Reason(
                        "version.published_immutable",
                        f"Version {locked.version} is published; add a new version.",
                    )
                ],
            )
        merged = {
            "version": locked.version,
            "changelog": locked.changelog,
            "uri": locked.uri,
            **fields,
        }
        cleaned = dict(zip(("version", "changelog", "uri"), clean_version(**merged), strict=True))
        changes = diff(locked, cleaned)
        if not changes:
            return locked
        if (
            "version" in changes
            and locked.artifact.versions.filter(version=cleaned["version"]).exists()
        ):
            raise ValidationError({"version": [f"Version {cleaned['version']} already exists."]})
        for name in changes:
            setattr(locked, name, cleaned[name])
        locked.save(update_fields=list(changes))
        audit_event(
            actor=acting_user,
            action="version.updated",
            obj=locked,
            artifact=locked.artifact,
            reason=reason,
            changes=changes,
        )
    return locked


# --- single lineage links -----------------------------------------------------------------


def lineage_add(
    *,
    acting_user,
    child: Artifact,
    parent: Artifact,
    relation: str,
    parent_version: Version | None = None,
    reason: str = "",
) -> Lineage:
    """Link child <relation> parent; refuses cycles even under concurrent writers (advisory lock)."""
    errors: dict[str, list[str]] = {}
    links = clean_parents(
        [{"artifact": parent, "relation": relation, "version": parent_version}], errors
    )
    if errors:
        raise ValidationError(errors)
    if not acting_user.has_perm("catalogue.change_artifact", child):
        raise PermissionDenied("You may change lineage only of your teams' artifacts.")
    ensure_parents_visible(acting_user, links)
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "lineage added"):
        lock_lineage()
        locked = Artifact.objects.select_for_update().get(pk=child.pk)
        ensure_not_archived(locked)
        link = _link(child=locked, parent=parent, relation=relation, parent_version=parent_version)
        audit_event(
            actor=acting_user,
            action="lineage.added",
            obj=link,
            artifact=locked,
            reason=reason,
            changes={"parent": [None, parent.slug], "relation": [None, relation]},
        )
    return link


def lineage_remove(*, acting_user, child: Artifact, parent: Artifact, reason: str = "") -> None:
    """Remove the link child -> parent; no-op when there is none; refused on published work (Rule 3)."""
    if not acting_user.has_perm("catalogue.change_artifact", child):
        raise PermissionDenied("You may change lineage only of your teams' artifacts.")
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "lineage removed"):
        locked = Artifact.objects.select_for_update().get(pk=child.pk)
        ensure_not_archived(locked)
        link = Lineage.objects.filter(child=locked, parent=parent).first()
        if link is None:
            return
        ensure_facts_kept(locked, removed_links=[LinkChange(parent_slug=parent.slug)])
        audit_event(
            actor=acting_user,
            action="lineage.removed",
            obj=link,
            artifact=locked,
            reason=reason,
            changes={"parent": [parent.slug, None], "relation": [link.relation, None]},
        )
        link.delete()
