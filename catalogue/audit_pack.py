"""The audit pack of one artifact: everything a regulator asks for, as one JSON-ready dict.

Bounded queries: one per section (plus the history sources). Personal data of contributors
appears only for legal and admins, and showing it is itself audited.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from .models import (
    Artifact,
    Authorship,
    ConsentCoverage,
    Contributor,
    IPAssignment,
    Lineage,
    ReusePolicy,
    Review,
    ReviewDecision,
    Version,
)
from .permissions import is_admin, is_legal, team_roles
from .querysets import visible_artifacts
from .selectors.audit import artifact_history
from .services.audit import audit_access


def may_fetch_pack(user, artifact: Artifact) -> bool:
    """Legal, admins and members of the owner team (visibility is checked by the caller)."""
    return is_admin(user) or is_legal(user) or artifact.owner_team_id in team_roles(user)


def _when(value):
    return value.isoformat() if value else None


def _person(contributor: Contributor, personal: bool) -> dict:
    data = {
        "id": contributor.pk,
        "pseudonym": contributor.pseudonym,
        "kind": contributor.kind,
        "organisation": contributor.organisation,
    }
    if personal:
        data |= {
            "legal_name": contributor.legal_name,
            "email": contributor.email,
            "external_ref": contributor.external_ref,
        }
    return data


def build_pack(*, user, artifact: Artifact) -> dict:
    """The pack for `artifact` (visible to `user`); PermissionDenied unless `may_fetch_pack`."""
    if not may_fetch_pack(user, artifact):
        raise PermissionDenied("The audit pack is for legal, admins and the owner team.")
    personal = user.has_perm("catalogue.view_personal_data")
    artifact = Artifact.objects.select_related(
        "owner_team",
        "current_version",
        "current_policy",
        "superseded_by",
        "retired_by",
        "created_by",
    ).get(pk=artifact.pk)
    shown: dict[int, Contributor] = {}

    def person(contributor: Contributor) -> dict:
        shown[contributor.pk] = contributor
        return _person(contributor, personal)

    versions = list(
        Version.objects.filter(artifact=artifact)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    authorships = list(Authorship.objects.filter(artifact=artifact).select_related("contributor"))
    visible_ids = visible_artifacts(user).values("pk")
    parents = list(
        Lineage.objects.filter(child=artifact, parent__in=visible_ids).select_related(
            "parent", "parent_version"
        )
    )
    children = list(
        Lineage.objects.filter(parent=artifact, child__in=visible_ids).select_related("child")
    )
    policies = list(
        ReusePolicy.objects.filter(artifact=artifact)
        .select_related("created_by")
        .order_by("revision")
    )
    coverage = list(
        ConsentCoverage.objects.filter(artifact=artifact)
        .select_related("consent__contributor")
        .order_by("consent_id")
    )
    ip_chain = list(
        IPAssignment.objects.filter(artifact=artifact)
        .select_related("assignor")
        .order_by("signed_on", "id")
    )
    reviews = list(
        Review.objects.filter(artifact=artifact)
        .select_related("version", "requested_by")
        .prefetch_related(
            Prefetch("decisions", queryset=ReviewDecision.objects.select_related("reviewer"))
        )
    )
    reuses = list(artifact.reuses.select_related("team", "version").order_by("occurred_on", "id"))
    pack = {
        "artifact": {
            "slug": artifact.slug,
            "title": artifact.title,
            "kind": artifact.kind,
            "summary": artifact.summary,
            "intent": artifact.intent,
            "constraints": artifact.constraints,
            "constraint_tags": artifact.constraint_tags,
            "owner_team": artifact.owner_team.slug,
            "sensitivity": artifact.sensitivity,
            "customer_derived": artifact.customer_derived,
            "tags": artifact.tags,
            "channels": artifact.channels,
            "status": artifact.status,
            "current_version": getattr(artifact.current_version, "version", None),
            "current_policy_revision": getattr(artifact.current_policy, "revision", None),
            "retirement_rationale": artifact.retirement_rationale,
            "lessons_learned": artifact.lessons_learned,
            "superseded_by": getattr(artifact.superseded_by, "slug", None),
            "sunset_on": _when(artifact.sunset_on),
            "retired_at": _when(artifact.retired_at),
            "retired_by": getattr(artifact.retired_by, "username", None),
            "published_at": _when(artifact.published_at),
            "created_at": _when(artifact.created_at),
            "created_by": getattr(artifact.created_by, "username", None),
            "updated_at": _when(artifact.updated_at),
        },
        "versions": [
            {
                "version": v.version,
                "changelog": v.changelog,
                "uri": v.uri,
                "published_at": _when(v.published_at),
                "created_at": _when(v.created_at),
                "attachments": [
                    {
                        "name": a.original_name,
                        "sha256": a.sha256,
                        "size": a.size,
                        "evidence": a.is_evidence,
                    }
                    for a in v.attachments.all()
                ],
            }
            for v in versions
        ],
        "authorship": [
            {
                "contributor": person(a.contributor),
                "role": a.role,
                "credit_share": str(a.credit_share),
            }
            for a in authorships
        ],
        "lineage": {
            "parents": [
                {
                    "artifact": link.parent.slug,
                    "relation": link.relation,
                    "version": getattr(link.parent_version, "version", None),
                }
                for link in parents
            ],
            "children": [
                {"artifact": link.child.slug, "relation": link.relation} for link in children
            ],
        },
        "policy_history": [
            {
                "revision": p.revision,
                "odrl": p.odrl,
                "summary": p.summary,
                "created_at": _when(p.created_at),
                "created_by": getattr(p.created_by, "username", None),
                "current": p.pk == artifact.current_policy_id,
            }
            for p in policies
        ],
        "consents": [
            {
                "id": c.consent.pk,
                "contributor": person(c.consent.contributor),
                "purposes": c.consent.purposes,
                "status": c.consent.status,
                "status_changed_at": _when(c.consent.status_changed_at),
                "status_reason": c.consent.status_reason,
                "jurisdiction": c.consent.jurisdiction,
                "notice_version": c.consent.notice_version,
                "method": c.consent.method,
                "obtained_at": _when(c.consent.obtained_at),
                "expires_at": _when(c.consent.expires_at),
                "has_evidence": bool(c.consent.evidence),
            }
            for c in coverage
        ],
        "ip_chain": [
            {
                "assignor": person(ip.assignor),
                "assignee": ip.assignee,
                "kind": ip.kind,
                "signed_on": _when(ip.signed_on),
                "scope": ip.scope,
                "jurisdiction": ip.jurisdiction,
                "status": ip.status,
            }
            for ip in ip_chain
        ],
        "reviews": [
            {
                "id": r.pk,
                "kind": r.kind,
                "version": getattr(r.version, "version", None),
                "purposes": r.purposes,
                "status": r.status,
                "required_approvals": r.required_approvals,
                "requested_by": getattr(r.requested_by, "username", None),
                "valid_until": _when(r.valid_until),
                "decided_at": _when(r.decided_at),
                "decisions": [
                    {
                        "reviewer": d.reviewer.username,
                        "decision": d.decision,
                        "rationale": d.rationale,
                        "decided_at": _when(d.decided_at),
                    }
                    for d in r.decisions.all()
                ],
            }
            for r in reviews
        ],
        "reuses": [
            {
                "team": u.team.slug,
                "initiative": u.initiative,
                "version": getattr(u.version, "version", None),
                "purpose": u.purpose,
                "channel": u.channel,
                "mode": u.mode,
                "occurred_on": _when(u.occurred_on),
                "ended_on": _when(u.ended_on),
                "rights_decision": u.rights_decision,
            }
            for u in reuses
        ],
        "history": _full_history(user, artifact),
    }
    if personal and shown:
        audit_access(
            actor=user,
            action="contributor.personal_data_viewed",
            obj=artifact,
            detail="audit pack; contributors " + ", ".join(str(pk) for pk in sorted(shown)),
        )
    return pack


def _full_history(user, artifact: Artifact) -> list[dict]:
    items, cursor = artifact_history(user=user, artifact=artifact, size=500)
    history = [item.as_dict() for item in items]
    while cursor:
        items, cursor = artifact_history(user=user, artifact=artifact, cursor=cursor, size=500)
        history += [item.as_dict() for item in items]
    return history
