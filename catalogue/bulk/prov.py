"""W3C PROV-JSON for an artifact's ancestry and descent (visible artifacts only, pseudonyms only).

Entities are artifacts (`catalogue:<slug>`), `wasDerivedFrom` carries the lineage relation as
`prov:type`, agents are owner teams (`team:<slug>`) and contributors (`contributor:<pseudonym>`),
joined to entities by `wasAttributedTo` with the role.
"""

from collections import defaultdict

from django.db.models import Prefetch

from ..models import Artifact, Authorship, Lineage
from ..models.choices import ContributorKind
from ..querysets import visible_artifacts
from ..selectors.lineage import ancestor_depths, descendant_depths

PREFIXES = {
    "catalogue": "urn:catalogue:artifact:",
    "team": "urn:catalogue:team:",
    "contributor": "urn:catalogue:contributor:",
    "cat": "urn:catalogue:vocab:",
}
ORGANISATIONS = {ContributorKind.PARTNER, ContributorKind.AGENCY}


def _qualified(name: str) -> dict:
    return {"$": name, "type": "prov:QUALIFIED_NAME"}


def _reachable(
    start: int, links: list[Lineage], visible: set[int], *, up: bool
) -> tuple[set[int], list[Lineage]]:
    """Walk links through visible artifacts only, so nothing is joined through a hidden one."""
    step = defaultdict(list)
    for link in links:
        step[link.child_id if up else link.parent_id].append(link)
    seen, used, frontier = {start}, [], [start]
    while frontier:
        node = frontier.pop()
        for link in step[node]:
            other = link.parent_id if up else link.child_id
            if other not in visible:
                continue
            used.append(link)
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen, used


def artifact_prov(*, user, artifact: Artifact) -> dict:
    """PROV-JSON document of the artifact, its ancestors and its descendants the user may see."""
    related = (
        {artifact.pk} | set(ancestor_depths([artifact.pk])) | set(descendant_depths([artifact.pk]))
    )
    visible = {
        a.pk: a
        for a in visible_artifacts(user, Artifact.objects.filter(pk__in=related))
        .select_related("owner_team", "current_version")
        .prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("contributor").order_by("id"),
            )
        )
    }
    links = list(
        Lineage.objects.filter(child_id__in=visible, parent_id__in=visible)
        .select_related("parent_version")
        .order_by("id")
    )
    up_nodes, up_links = _reachable(artifact.pk, links, set(visible), up=True)
    down_nodes, down_links = _reachable(artifact.pk, links, set(visible), up=False)
    nodes = [visible[pk] for pk in sorted(up_nodes | down_nodes)]

    doc: dict = {
        "prefix": dict(PREFIXES),
        "entity": {},
        "agent": {},
        "wasDerivedFrom": {},
        "wasAttributedTo": {},
    }
    for node in nodes:
        entity = {
            "prov:label": node.title,
            "cat:kind": node.kind,
            "cat:status": node.status,
            "cat:sensitivity": node.sensitivity,
        }
        if node.current_version is not None:
            entity["cat:version"] = node.current_version.version
        doc["entity"][f"catalogue:{node.slug}"] = entity
        team = f"team:{node.owner_team.slug}"
        doc["agent"][team] = {
            "prov:type": _qualified("prov:Organization"),
            "prov:label": node.owner_team.name,
        }
        doc["wasAttributedTo"][f"_:owner-{node.slug}"] = {
            "prov:entity": f"catalogue:{node.slug}",
            "prov:agent": team,
            "prov:role": "owner",
        }
        for index, authorship in enumerate(node.authorships.all(), start=1):
            contributor = authorship.contributor
            agent = f"contributor:{contributor.pseudonym}"
            kind = "prov:Organization" if contributor.kind in ORGANISATIONS else "prov:Person"
            doc["agent"][agent] = {
                "prov:type": _qualified(kind),
                "cat:contributorKind": contributor.kind,
            }
            doc["wasAttributedTo"][f"_:author-{node.slug}-{index}"] = {
                "prov:entity": f"catalogue:{node.slug}",
                "prov:agent": agent,
                "prov:role": authorship.role,
                "cat:creditShare": float(authorship.credit_share),
            }
    for link in sorted(
        {link.pk: link for link in up_links + down_links}.values(), key=lambda item: item.pk
    ):
        child, parent = visible[link.child_id], visible[link.parent_id]
        relation = {
            "prov:generatedEntity": f"catalogue:{child.slug}",
            "prov:usedEntity": f"catalogue:{parent.slug}",
            "prov:type": link.relation,
        }
        if link.parent_version is not None:
            relation["cat:parentVersion"] = link.parent_version.version
        doc["wasDerivedFrom"][f"_:derivation-{link.pk}"] = relation
    return {k: v for k, v in doc.items() if v}
