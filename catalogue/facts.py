"""Rule 3's published facts: whether work is customer-derived, and its lineage.

`ensure_facts_kept` is the one home of the rule "no edit may remove these facts from published
work": `artifact_update` (API PATCH, web form, bulk import), `lineage_remove` and the admin all
call it. Only tightening passes (customer_derived set to true, a new parent); loosening a locked
fact is legal's correction (`services.facts.artifact_correct_facts`), never an edit.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from .models import Artifact, ConsentCoverage, Version
from .models.choices import ArtifactStatus, ConsentStatus
from .rules import Reason, RuleViolation
from .selectors.lineage import descendant_depths, relative_depths

PUBLISHED_STATES = (ArtifactStatus.PUBLISHED, ArtifactStatus.DEPRECATED, ArtifactStatus.ARCHIVED)


@dataclass(frozen=True)
class LinkChange:
    """An existing lineage link an edit would remove (`relation` None) or alter."""

    parent_slug: str
    relation: str | None = None


def _published_q() -> Q:
    return (
        Q(status__in=PUBLISHED_STATES)
        | Q(published_at__isnull=False)
        | Q(pk__in=Version.objects.filter(published_at__isnull=False).values("artifact_id"))
    )


def facts_locked(artifact: Artifact) -> bool:
    """True when the artifact's facts are relied on by published work: it, or anything derived
    from it, is (or was) published, or has a published version. Two queries."""
    ids = [artifact.pk, *descendant_depths([artifact.pk])]
    return Artifact.objects.filter(pk__in=ids).filter(_published_q()).exists()


def _ended_consent_covers(artifact: Artifact) -> bool:
    """A consent covering the artifact has ended: unticking customer_derived would lift it."""
    return (
        ConsentCoverage.objects.filter(artifact=artifact)
        .exclude(consent__status=ConsentStatus.GIVEN)
        .exists()
    )


def ensure_facts_kept(
    artifact: Artifact,
    *,
    customer_derived: bool | None = None,
    removed_links: Iterable[LinkChange] = (),
) -> None:
    """Refuse (409) an edit that turns customer_derived from true to false, or removes or alters
    a lineage link, of an artifact whose facts are locked (`facts.customer_derived_locked`,
    `facts.lineage_locked`). `customer_derived` is the value the edit asks for (None: untouched)."""
    removed_links = list(removed_links)
    unticks = bool(artifact.customer_derived) and customer_derived is False
    if not (unticks or removed_links):
        return
    locked = facts_locked(artifact)
    reasons: list[Reason] = []
    if unticks and (locked or _ended_consent_covers(artifact)):
        reasons.append(
            Reason(
                "facts.customer_derived_locked",
                f"'{artifact.slug}' is customer-derived in published work (or under an ended consent); "
                "only legal can correct that, with a reason.",
            )
        )
    if removed_links and locked:
        for link in removed_links:
            what = "removed" if link.relation is None else f"changed to {link.relation}"
            reasons.append(
                Reason(
                    "facts.lineage_locked",
                    f"The link from '{artifact.slug}' to '{link.parent_slug}' is part of published work and "
                    f"cannot be {what}; only legal can correct lineage, with a reason.",
                )
            )
    if reasons:
        raise RuleViolation("Published facts cannot be removed by an edit.", reasons)


# --- what a correction lifts ------------------------------------------------------------------

_REACH = """
WITH RECURSIVE walk(id, root) AS (
    SELECT r, r FROM unnest(%s::bigint[]) AS r
  UNION
    SELECT l.child_id, w.root FROM catalogue_lineage l JOIN walk w ON l.parent_id = w.id
)
SELECT id, root FROM walk WHERE id = ANY(%s::bigint[])
"""


def ended_consent_reach(artifact: Artifact) -> set[tuple[int, int]]:
    """{(artifact id, consent id)}: the artifact and its descendants, each with every ended consent
    (withdrawn, revoked, invalidated, expired) that denies it, as the consent check reads lineage:
    a consent covering the artifact itself, or a customer-derived ancestor. Three queries."""
    up, down = relative_depths(artifact.pk)
    targets = {artifact.pk, *down}
    rows = list(
        ConsentCoverage.objects.filter(artifact_id__in=targets | set(up))
        .filter(
            ~Q(consent__status=ConsentStatus.GIVEN) | Q(consent__expires_at__lte=timezone.now())
        )
        .values_list("artifact_id", "consent_id", "artifact__customer_derived")
    )
    reach = {(aid, cid) for aid, cid, _ in rows if aid in targets}
    by_root: dict[int, set[int]] = {}
    for aid, cid, customer in rows:
        if customer:
            by_root.setdefault(aid, set()).add(cid)
    if by_root:
        with connection.cursor() as cursor:
            cursor.execute(_REACH, [list(by_root), list(targets)])
            for aid, root in cursor.fetchall():
                reach.update((aid, cid) for cid in by_root[root])
    return reach
