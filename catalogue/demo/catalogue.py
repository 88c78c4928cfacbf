"""The demo catalogue: ~60 artifacts of both teams, with contributors, versions and lineage.

Everything goes through the services (acting as each team's maintainer, or the admin for
contributors' personal data). Idempotent: existing contributors (by external reference) and
the demo's own artifacts (by slug, see `marker`) are reused, never duplicated; an artifact a
user registered is never touched. Artifacts stay drafts: publishing needs a
reuse policy, which the rights seeder sets before it publishes; `catalogue_retired` tells the
lifecycle seeder which ones to retire and why.
"""

from decimal import Decimal

from ..models import Artifact, Contributor
from ..services.artifacts import artifact_register, version_create
from ..services.contributors import contributor_create
from .catalogue_data import ARTIFACTS, CONTRIBUTORS, RETIRED
from .marker import demo_artifacts, seeder

TEAM_ACTOR = {"retail": "alice", "cards": "bob"}


def _contributors(users: dict) -> dict[str, Contributor]:
    admin = users["admin"]
    existing = {
        c.external_ref: c
        for c in Contributor.objects.filter(
            external_ref__in=[spec[2] for spec in CONTRIBUTORS.values()]
        )
    }
    out = {}
    for key, (kind, organisation, ref, legal_name, username) in CONTRIBUTORS.items():
        contributor = existing.get(ref)
        if contributor is None:
            contributor = contributor_create(
                acting_user=admin,
                kind=kind,
                organisation=organisation,
                external_ref=ref,
                legal_name=legal_name,
                email=f"{username or key}@bank.example" if kind == "employee" else "",
                user=users.get(username) if username else None,
                reason="demo data",
            )
        out[key] = contributor
    return out


@seeder
def seed(*, password: str, context: dict) -> dict:
    users, teams = context["users"], context["teams"]
    contributors = _contributors(users)
    slugs = [s["slug"] for s in ARTIFACTS]
    artifacts = {a.slug: a for a in demo_artifacts(slugs)}
    # A slug someone registered themselves is theirs: the demo leaves it (and what builds on it) out.
    taken = set(
        Artifact.objects.filter(slug__in=slugs)
        .exclude(pk__in=[a.pk for a in artifacts.values()])
        .values_list("slug", flat=True)
    )
    created = 0
    for spec in ARTIFACTS:
        if spec["slug"] in artifacts or spec["slug"] in taken:
            continue
        if any(slug not in artifacts for slug, _ in spec["parents"]):
            continue
        actor = users[TEAM_ACTOR[spec["team"]]]
        artifact = artifact_register(
            acting_user=actor,
            owner_team=teams[spec["team"]],
            slug=spec["slug"],
            title=spec["title"],
            kind=spec["kind"],
            summary=spec["summary"],
            intent=spec["intent"],
            constraints=spec["constraints"],
            constraint_tags=spec["constraint_tags"],
            sensitivity=spec["sensitivity"],
            customer_derived=spec["customer_derived"],
            tags=spec["tags"],
            channels=spec["channels"],
            authors=[
                {"contributor": contributors[key], "role": role, "credit_share": Decimal(share)}
                for key, role, share in spec["authors"]
            ],
            parents=[
                {"artifact": artifacts[slug], "relation": relation, "version": None}
                for slug, relation in spec["parents"]
            ],
            reason="demo data",
        )
        # Rule 1: publishing needs a version, so every demo artifact has at least one.
        for version, changelog in spec["versions"] or [("1.0.0", "First version.")]:
            version_create(
                acting_user=actor,
                artifact=artifact,
                version=version,
                changelog=changelog,
                uri=f"https://git.bank.example/{spec['team']}/{spec['slug']}/-/tags/{version}",
                reason="demo data",
            )
        artifacts[spec["slug"]] = artifact
        created += 1
    return {
        "contributors": contributors,
        "artifacts": artifacts,
        "catalogue_created": created,
        "catalogue_retired": RETIRED,
    }
