"""Bulk-load a realistic catalogue (artifacts, lineage, reuses, outcomes, consents) with COPY.

Ids are assigned here (after the current maximum) so rows can reference each other without
reading anything back; sequences are moved past them at the end. Row-history triggers are
off for the load (see `copy.history_ignored`); one `data.generated` audit event records what
was loaded, by whom and why. The search-vector trigger still fires on every artifact row.
"""

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..checks.policy import policy_grants
from ..models import Artifact, AuditEvent, Metric, ReusePolicy, Team
from ..models.choices import ArtifactKind, Channel, Purpose
from ..odrl.authoring import build_policy
from ..origin import current_origin
from ..services.audit import actor_label, audit_context
from ..services.outcomes import metrics_ensure_defaults
from ..services.rollups import rollups_recompute
from . import words
from .copy import (
    NULL,
    array,
    constraints_immediate,
    copy_lines,
    history_ignored,
    next_id,
    sync_sequence,
    text,
)

CHAIN_PREFIX = "scale-chain-"
CHAIN_LENGTH = 1000
CHAIN_CONSENTS = 100
ZIPF_EXPONENT = 1.1
TEAM_PREFIX = "scale-"
KINDS = ArtifactKind.values
# status -> share of artifacts
STATUS_SHARES = {
    "draft": 0.12,
    "in_review": 0.05,
    "published": 0.65,
    "deprecated": 0.12,
    "archived": 0.06,
}
REUSABLE = ("published", "deprecated")
OUTCOME_SHARE = 0.35  # of the reuses of the most reused artifacts (top OUTCOME_TOP of them)
OUTCOME_TOP = 0.03
LOADED_TABLES = (
    "team",
    "contributor",
    "artifact",
    "version",
    "reusepolicy",
    "rightsgrant",
    "authorship",
    "lineage",
    "consentrecord",
    "consentcoverage",
    "review",
    "ipassignment",
    "reuse",
    "outcome",
    "artifactrollup",
    "artifactmetricrollup",
    "rollupapplied",
)

# A few policy templates, reused (form values for build_policy; teams None = every team).
POLICY_TEMPLATES = (
    {
        "actions": ["use", "modify", "derive"],
        "purposes": None,
        "channels": None,
        "duties": ["attribute"],
    },
    {
        "actions": ["use"],
        "purposes": ["product_design", "marketing", "customer_service"],
        "channels": ["web", "mobile", "email"],
        "duties": ["attribute", "inform_owner"],
    },
    {
        "actions": ["use", "derive"],
        "purposes": ["internal_analysis", "research", "product_design"],
        "channels": ["internal"],
        "duties": [],
    },
    {
        "actions": ["use", "modify", "derive", "distribute", "train"],
        "purposes": None,
        "channels": None,
        "duties": [],
    },
)


@dataclass(frozen=True)
class Sizes:
    artifacts: int
    reuses: int
    contributors: int
    consents: int
    seed: int = 1


@dataclass
class Result:
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    chain_leaf: str = ""
    chain_root: str = ""


class CatalogueNotEmpty(Exception):
    pass


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


class Generator:
    def __init__(
        self,
        sizes: Sizes,
        *,
        acting_user=None,
        append: bool = False,
        progress: Callable[[str, int], None] | None = None,
    ):
        self.sizes, self.user, self.append = sizes, acting_user, append
        self.progress = progress or (lambda phase, n: None)
        self.rng = np.random.default_rng(sizes.seed)
        self.now = timezone.now().replace(microsecond=0)
        self.result = Result()

    # -- orchestration ------------------------------------------------------------------

    def run(self) -> Result:
        if Artifact.objects.exists() and not self.append:
            raise CatalogueNotEmpty("The catalogue is not empty; pass --append to add to it.")
        timer = _Timer(self.result.seconds)
        reason = f"generate_data: synthetic catalogue for benchmarks ({asdict(self.sizes)})"
        with audit_context(actor=self.user, reason=reason):
            with timer("catalogue"), transaction.atomic(), history_ignored():
                self._catalogue()
                self._commit_phase("catalogue", reason)
            with timer("reuses"):
                self._reuses(reason)
            with timer("outcomes"), transaction.atomic(), history_ignored():
                self._outcomes()
                self._commit_phase("outcomes", reason)
            with timer("rollups"):
                self._rollups()
        # VACUUM, not only ANALYZE: it merges the GIN indexes' pending lists (a search would
        # otherwise scan them linearly) and sets the visibility map for index-only scans.
        with timer("vacuum"), connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(f"catalogue_{t}" for t in LOADED_TABLES))
        return self.result

    def _commit_phase(self, phase: str, reason: str, counts: dict | None = None) -> None:
        """Inside the phase's transaction: sequences past the assigned ids, and its audit event.

        A bulk load has no one object: the event names the command and what this transaction
        loaded, so every committed batch is accounted for even if a later one fails.
        """
        for table in LOADED_TABLES:
            if table not in ("artifactrollup", "artifactmetricrollup", "rollupapplied"):
                sync_sequence(f"catalogue_{table}")
        counts = dict(self.result.counts) if counts is None else counts
        AuditEvent.objects.create(
            actor=self.user if getattr(self.user, "pk", None) else None,
            actor_label=actor_label(self.user),
            action="data.generated",
            object_type="catalogue",
            object_id="generate_data",
            object_repr=f"{phase}: " + ", ".join(f"{k} {v}" for k, v in counts.items())[:280],
            reason=reason
            + "; row-history triggers were off for the load (one event per batch instead of one row per row)",
            origin=current_origin(),
            changes={
                "phase": phase,
                "counts": counts,
                "seed": self.sizes.seed,
                "chain_leaf": self.result.chain_leaf,
                "append": self.append,
            },
        )

    # -- teams, contributors, artifacts and everything hanging off them -----------------

    def _catalogue(self) -> None:
        timer = _Timer(self.result.seconds)
        self.teams = self._teams()
        for step in (
            self._contributors,
            self._artifacts,
            self._versions_policies,
            self._authorships,
            self._lineage,
            self._consents,
        ):
            with timer(step.__name__.strip("_")):
                step()

    def _teams(self) -> list[tuple[int, str]]:
        teams = []
        for i, name in enumerate(words.TEAM_NAMES):
            team, _ = Team.objects.get_or_create(
                slug=f"{TEAM_PREFIX}{i:02d}", defaults={"name": name}
            )
            teams.append((team.pk, team.slug))
        self.result.counts["teams"] = len(teams)
        return teams

    def _contributors(self) -> None:
        n = self.sizes.contributors
        self.contributor0 = next_id("catalogue_contributor")
        kinds = self.rng.choice(
            ["employee", "customer", "partner", "agency", "academic"],
            size=n,
            p=[0.6, 0.25, 0.06, 0.05, 0.04],
        )
        stamp = _iso(self.now)
        self.contributor_kinds = kinds

        def lines():
            for i in range(n):
                pk = self.contributor0 + i
                kind = kinds[i]
                org = (
                    words.ORGANISATIONS[i % len(words.ORGANISATIONS)]
                    if kind in ("partner", "agency", "academic")
                    else ""
                )
                yield (
                    f"{pk}\t{kind}\tcontributor-{pk:010x}\t{org}\tsor-{pk}\tPerson {pk}\tperson{pk}@example.com"
                    f"\t{stamp}\t{stamp}\n"
                )

        cols = (
            "id",
            "kind",
            "pseudonym",
            "organisation",
            "external_ref",
            "legal_name",
            "email",
            "created_at",
            "updated_at",
        )
        self.result.counts["contributors"] = copy_lines(
            "catalogue_contributor", cols, lines(), progress=self._tick("contributors")
        )
        self.customers = self.contributor0 + np.flatnonzero(kinds == "customer")
        self.employees = self.contributor0 + np.flatnonzero(kinds == "employee")
        self.externals = self.contributor0 + np.flatnonzero(kinds != "employee")

    def _artifacts(self) -> None:
        n = self.sizes.artifacts
        rng = self.rng
        self.artifact0 = a0 = next_id("catalogue_artifact")
        self.chain = (
            min(CHAIN_LENGTH, n // 2)
            if not Artifact.objects.filter(slug=f"{CHAIN_PREFIX}0000").exists()
            else 0
        )
        statuses = rng.choice(list(STATUS_SHARES), size=n, p=list(STATUS_SHARES.values()))
        statuses[: self.chain] = "published"
        sensitivity = rng.choice(
            ["internal", "confidential", "restricted"], size=n, p=[0.8, 0.15, 0.05]
        )
        sensitivity[: self.chain] = "internal"
        derived = rng.random(n) < 0.1
        derived[: self.chain] = False
        if self.chain:
            derived[0] = True
        kinds = rng.integers(0, len(KINDS), size=n)
        teams = np.minimum(rng.zipf(1.6, size=n) - 1, len(self.teams) - 1)
        # created_at rises with the id over three years, as a real catalogue's would.
        span = 3 * 365 * 86400
        offsets = np.sort(rng.integers(0, span, size=n))
        self.created = [
            self.now - dt.timedelta(days=3 * 365 + 30) + dt.timedelta(seconds=int(s))
            for s in offsets
        ]
        self.statuses, self.sensitivity, self.derived, self.teams_of = (
            statuses,
            sensitivity,
            derived,
            teams,
        )
        self.kinds_of = kinds
        # Versions and policies get their ids now, so each artifact row points at them at once
        # (the foreign keys are deferred to commit) and no artifact row is ever rewritten.
        self.version0 = next_id("catalogue_version")
        self.has_policy = np.isin(statuses, ["published", "deprecated", "archived"])
        self.templates = rng.integers(0, len(POLICY_TEMPLATES), size=n)
        self.templates[: self.chain] = 0
        self.policy0 = next_id("catalogue_reusepolicy")
        self.policy_ids = np.full(n, -1, dtype=np.int64)
        self.policy_ids[self.has_policy] = self.policy0 + np.arange(int(self.has_policy.sum()))
        picks = rng.integers(0, 1 << 30, size=(n, 12))
        self.picks = picks

        def lines():
            for i in range(n):
                pk = a0 + i
                r = picks[i]
                kind = KINDS[kinds[i]]
                domain = words.DOMAINS[r[0] % len(words.DOMAINS)]
                topic = words.TOPICS[r[1] % len(words.TOPICS)]
                noun = words.KIND_NOUNS[kind][r[2] % len(words.KIND_NOUNS[kind])]
                adj = words.ADJECTIVES[r[3] % len(words.ADJECTIVES)]
                code = words.codename(pk // 4)
                title = f"{adj.capitalize()} {domain} {topic} {noun}"
                slug = self._slug(i)
                audience = words.AUDIENCES[r[4] % len(words.AUDIENCES)]
                outcome = words.OUTCOMES[r[5] % len(words.OUTCOMES)]
                who = "customer" if r[6] % 5 < 2 else "colleague"
                article = "an" if adj[0] in "aeiou" else "a"
                summary = (
                    f"Project {code}: {article} {adj} {noun} for {domain} {topic}, built for {audience}. "
                    f"Designed with {who} research and reusable across {domain} teams."
                )
                intent = f"We believe a {adj} {topic} experience will {outcome} for {audience}."
                constraint = words.CONSTRAINTS[r[7] % len(words.CONSTRAINTS)]
                ctag = words.CONSTRAINT_TAGS[r[7] % len(words.CONSTRAINT_TAGS)]
                tags = sorted(
                    {
                        words.TAGS[r[8] % len(words.TAGS)],
                        words.TAGS[r[9] % len(words.TAGS)],
                        words.TAGS[r[10] % 7],
                    }
                )
                channels = sorted({Channel.values[r[11] % 7], Channel.values[(r[11] >> 3) % 7]})
                status = statuses[i]
                created = _iso(self.created[i])
                retired = status in ("deprecated", "archived")
                rationale = (
                    f"Superseded by a newer {noun}; {outcome} was not achieved." if retired else ""
                )
                lessons = f"Test {topic} changes with {audience} earlier." if retired else ""
                published = created if status in ("published", "deprecated", "archived") else NULL
                yield (
                    "\t".join(
                        (
                            str(pk),
                            slug,
                            title,
                            kind,
                            text(summary),
                            intent,
                            constraint,
                            array([ctag]),
                            str(sensitivity[i]),
                            "t" if derived[i] else "f",
                            array(tags),
                            array(channels),
                            str(status),
                            rationale,
                            lessons,
                            _iso(self.now) if retired else NULL,
                            published,
                            created,
                            created,
                            str(self.teams[teams[i]][0]),
                            str(self.version0 + i),
                            str(self.policy_ids[i]) if self.policy_ids[i] > 0 else NULL,
                        )
                    )
                    + "\n"
                )

        cols = (
            "id",
            "slug",
            "title",
            "kind",
            "summary",
            "intent",
            "constraints",
            "constraint_tags",
            "sensitivity",
            "customer_derived",
            "tags",
            "channels",
            "status",
            "retirement_rationale",
            "lessons_learned",
            "retired_at",
            "published_at",
            "created_at",
            "updated_at",
            "owner_team_id",
            "current_version_id",
            "current_policy_id",
        )
        self.result.counts["artifacts"] = copy_lines(
            "catalogue_artifact", cols, lines(), progress=self._tick("artifacts")
        )
        if self.chain:
            self.result.chain_root = f"{CHAIN_PREFIX}0000"
            self.result.chain_leaf = f"{CHAIN_PREFIX}{self.chain - 1:04d}"

    def _slug(self, i: int) -> str:
        if i < self.chain:
            return f"{CHAIN_PREFIX}{i:04d}"
        r = self.picks[i]
        domain = words.DOMAINS[r[0] % len(words.DOMAINS)].replace(" ", "-")
        topic = words.TOPICS[r[1] % len(words.TOPICS)].replace(" ", "-")
        return f"{domain}-{topic}-{self.artifact0 + i}"

    def _versions_policies(self) -> None:
        """One version per artifact, a policy (from a template) and its grants per published one."""
        n, a0, v0 = self.sizes.artifacts, self.artifact0, self.version0
        stamp_of = self.created

        def versions():
            for i in range(n):
                published = (
                    _iso(stamp_of[i])
                    if self.statuses[i] in ("published", "deprecated", "archived")
                    else NULL
                )
                yield (
                    f"{v0 + i}\t1.0.{i % 7}\tFirst release.\thttps://git.example.com/catalogue/{a0 + i}"
                    f"\t{published}\t{_iso(stamp_of[i])}\t{a0 + i}\n"
                )

        cols: tuple[str, ...] = (
            "id",
            "version",
            "changelog",
            "uri",
            "published_at",
            "created_at",
            "artifact_id",
        )
        self.result.counts["versions"] = copy_lines(
            "catalogue_version", cols, versions(), progress=self._tick("versions")
        )

        has_policy, templates, policy_ids = self.has_policy, self.templates, self.policy_ids
        # The grants depend on the template only (no named teams, no target): derive them once.
        self.grant_rows = [self._template_grants(t) for t in range(len(POLICY_TEMPLATES))]
        self.permitted = [
            sorted({p for g in rows for p in g["pairs"] if g["action"] == "use"})
            for rows in self.grant_rows
        ]
        team_slug = [s for _, s in self.teams]

        def policies():
            for i in np.flatnonzero(has_policy):
                document = build_policy(
                    artifact_slug=self._slug(int(i)),
                    owner_team_slug=team_slug[self.teams_of[i]],
                    teams=None,
                    **POLICY_TEMPLATES[templates[i]],
                )
                yield (
                    f"{policy_ids[i]}\t1\t{text(json.dumps(document))}\tGenerated policy (template {templates[i]}).\t"
                    f"{_iso(stamp_of[i])}\t{a0 + i}\n"
                )

        cols = ("id", "revision", "odrl", "summary", "created_at", "artifact_id")
        self.result.counts["policies"] = copy_lines(
            "catalogue_reusepolicy", cols, policies(), progress=self._tick("policies")
        )
        # Artifacts, versions and policies now all exist: later rows are checked as they arrive.
        constraints_immediate()

        def grants():
            for i in np.flatnonzero(has_policy):
                for g in self.grant_rows[templates[i]]:
                    yield (
                        f"{g['team_slug']}\t{array(g['named_teams'])}\t{g['action']}\t{g['window']}\t"
                        f"{array(g['purposes'])}\t{array(g['channels'])}\t{array(g['pairs'])}\t{a0 + i}\t{policy_ids[i]}\n"
                    )

        cols = (
            "team_slug",
            "named_teams",
            "action",
            "window",
            "purposes",
            "channels",
            "pairs",
            "artifact_id",
            "policy_id",
        )
        self.result.counts["rights_grants"] = copy_lines(
            "catalogue_rightsgrant", cols, grants(), progress=self._tick("grants")
        )

    def _template_grants(self, template: int) -> list[dict]:
        document = build_policy(
            artifact_slug="template",
            owner_team_slug="template",
            teams=None,
            **POLICY_TEMPLATES[template],
        )
        row = ReusePolicy(pk=-(template + 1), odrl=document)
        out = []
        for g in policy_grants(row, Artifact(slug="template")):
            lower = g.window.lower.isoformat() if g.window.lower else ""
            upper = g.window.upper.isoformat() if g.window.upper else ""
            bounds = g.window.bounds if g.window.lower or g.window.upper else "()"
            out.append(
                {
                    "team_slug": g.team_slug,
                    "named_teams": g.named_teams,
                    "action": g.action,
                    "window": f"{bounds[0]}{lower},{upper}{bounds[1]}",
                    "purposes": g.purposes,
                    "channels": g.channels,
                    "pairs": g.pairs,
                }
            )
        return out

    def _authorships(self) -> None:
        n, a0, rng = self.sizes.artifacts, self.artifact0, self.rng
        originators = rng.choice(self.employees, size=n)
        extra = rng.random(n)
        co = rng.choice(self.externals if len(self.externals) else self.employees, size=n)
        customers = rng.choice(self.customers, size=n) if len(self.customers) else co

        def lines():
            for i in range(n):
                pk = a0 + i
                if extra[i] < 0.45 and co[i] != originators[i]:
                    yield f"originator\t0.700\t{pk}\t{originators[i]}\n"
                    role = "co_author" if extra[i] < 0.3 else "adapter"
                    yield f"{role}\t0.300\t{pk}\t{co[i]}\n"
                else:
                    yield f"originator\t1.000\t{pk}\t{originators[i]}\n"
                if self.derived[i] and customers[i] not in (co[i], originators[i]):
                    yield f"co_author\t0.000\t{pk}\t{customers[i]}\n"

        cols = ("role", "credit_share", "artifact_id", "contributor_id")
        self.result.counts["authorships"] = copy_lines(
            "catalogue_authorship", cols, lines(), progress=self._tick("authorships")
        )

    def _lineage(self) -> None:
        """A forest: ~30% of artifacts derive from an earlier one (some chains run deep), plus the chain."""
        n, a0, rng = self.sizes.artifacts, self.artifact0, self.rng
        relations = ("adapted_from", "derived_from", "composed_of", "inspired_by")
        has_parent = rng.random(n) < 0.3
        # Near neighbours make chains; a few far ones make wide trees under popular roots.
        back = np.where(
            rng.random(n) < 0.7, rng.integers(1, 50, size=n), rng.integers(1, max(2, n), size=n)
        )
        stamp = _iso(self.now)

        def lines():
            for i in range(1, self.chain):
                yield f"derived_from\t{stamp}\t{a0 + i}\t{a0 + i - 1}\t{self.version0 + i - 1}\n"
            for i in range(self.chain + 1, n):
                parent = i - back[i]
                if has_parent[i] and parent >= self.chain:
                    yield f"{relations[i % 4]}\t{stamp}\t{a0 + i}\t{a0 + parent}\t{NULL}\n"

        cols = ("relation", "created_at", "child_id", "parent_id", "parent_version_id")
        self.result.counts["lineage"] = copy_lines(
            "catalogue_lineage", cols, lines(), progress=self._tick("lineage")
        )

    def _consents(self) -> None:
        """Consents of customer contributors covering customer-derived artifacts; 100 cover the chain root."""
        c, a0, rng = self.sizes.consents, self.artifact0, self.rng
        # The chain root gets its own 100 consents below; random ones cover the other derived artifacts.
        derived = a0 + np.flatnonzero(self.derived[self.chain :]) + self.chain
        if not len(self.customers) or not len(derived):
            return
        self.consent0 = k0 = next_id("catalogue_consentrecord")
        statuses = rng.choice(
            ["given", "withdrawn", "expired", "revoked"], size=c, p=[0.88, 0.06, 0.04, 0.02]
        )
        extra = CHAIN_CONSENTS if self.chain else 0
        statuses = np.concatenate([np.full(extra, "given"), statuses])
        who = rng.choice(self.customers, size=c + extra)
        purposes = Purpose.values

        def records():
            for i in range(c + extra):
                obtained = self.now - dt.timedelta(days=int(30 + (i * 7919) % 900))
                chosen = (
                    purposes
                    if i < extra
                    else sorted({purposes[(i * 3 + j * 5) % 7] for j in range(1 + i % 4)})
                )
                status = statuses[i]
                expires = (
                    _iso(obtained + dt.timedelta(days=1095)) if i >= extra and i % 3 == 0 else NULL
                )
                changed = _iso(self.now - dt.timedelta(days=i % 30)) if status != "given" else NULL
                if status == "expired":
                    expires = _iso(self.now - dt.timedelta(days=1 + i % 20))
                yield (
                    f"{k0 + i}\t{array(chosen)}\tGB\tv{1 + i % 3}\t{('web_form', 'written', 'email')[i % 3]}\t"
                    f"{_iso(obtained)}\t{expires}\t\t\t\tcrm-{k0 + i}\t{status}\t{changed}\t\t{_iso(obtained)}\t"
                    f"{_iso(obtained)}\t{who[i]}\n"
                )

        cols: tuple[str, ...] = (
            "id",
            "purposes",
            "jurisdiction",
            "notice_version",
            "method",
            "obtained_at",
            "expires_at",
            "compensation",
            "evidence",
            "evidence_content_type",
            "external_ref",
            "status",
            "status_changed_at",
            "status_reason",
            "created_at",
            "updated_at",
            "contributor_id",
        )
        self.result.counts["consents"] = copy_lines(
            "catalogue_consentrecord", cols, records(), progress=self._tick("consents")
        )
        covers = rng.choice(derived, size=(c, 2))

        def coverage():
            for i in range(extra):
                yield f"{a0}\t{k0 + i}\n"
            for i in range(c):
                for artifact in sorted(set(covers[i].tolist())):
                    yield f"{artifact}\t{k0 + extra + i}\n"

        self.result.counts["consent_coverage"] = copy_lines(
            "catalogue_consentcoverage",
            ("artifact_id", "consent_id"),
            coverage(),
            progress=self._tick("coverage"),
        )
        # Approved consent/IP reviews and signed IP assignments for the published customer-derived ones.
        cleared = list(np.flatnonzero(self.derived & np.isin(self.statuses, REUSABLE)))
        stamp = _iso(self.now - dt.timedelta(days=60))
        until = (self.now + dt.timedelta(days=365)).date().isoformat()

        def reviews():
            for i in cleared:
                yield f"consent_ip\t{array(purposes)}\tapproved\t1\t{until}\t{stamp}\t{stamp}\t{a0 + i}\t{self.version0 + i}\n"

        cols = (
            "kind",
            "purposes",
            "status",
            "required_approvals",
            "valid_until",
            "decided_at",
            "created_at",
            "artifact_id",
            "version_id",
        )
        self.result.counts["reviews"] = copy_lines(
            "catalogue_review", cols, reviews(), progress=self._tick("reviews")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO catalogue_ipassignment (assignee, kind, signed_on, scope, scope_purposes, scope_channels, "
                "jurisdiction, status, created_at, updated_at, artifact_id, assignor_id) "
                "SELECT 'The Bank', 'assignment', current_date - 60, 'All uses', '{}', '{}', 'GB', 'signed', now(), now(), "
                "au.artifact_id, au.contributor_id FROM catalogue_authorship au "
                "JOIN catalogue_contributor c ON c.id = au.contributor_id AND c.kind <> 'employee' "
                "WHERE au.artifact_id >= %s",
                [a0],
            )
            self.result.counts["ip_assignments"] = cursor.rowcount

    # -- reuses (Zipf popularity) and outcomes -------------------------------------------

    def _reuses(self, reason: str) -> None:
        m, a0, rng = self.sizes.reuses, self.artifact0, self.rng
        reusable = np.flatnonzero(
            np.isin(self.statuses, REUSABLE) & (self.sensitivity != "restricted")
        )
        reusable = reusable[reusable >= self.chain] if len(reusable) > self.chain else reusable
        if not len(reusable) or not m:
            self.reuse_artifacts = np.zeros(0, dtype=np.int64)
            return
        order = rng.permutation(reusable)
        weights = 1.0 / np.arange(1, len(order) + 1) ** ZIPF_EXPONENT
        weights /= weights.sum()
        self.popular = order[: max(1, int(len(order) * OUTCOME_TOP))]
        self.reuse0 = r0 = next_id("catalogue_reuse")
        today = self.now.date()
        created_day = np.array([(today - c.date()).days for c in self.created], dtype=np.int64)
        chunk = 1_000_000
        self.reuse_artifacts = np.empty(m, dtype=np.int64)
        self.reuse_days = np.empty(m, dtype=np.int64)
        decision = text(
            json.dumps(
                {
                    "decision": "permit",
                    "reasons": [{"code": "policy.permit", "message": "Generated."}],
                    "duties": [],
                    "warnings": [],
                    "generated": True,
                }
            )
        )
        team_count = len(self.teams)
        for start in range(0, m, chunk):
            size = min(chunk, m - start)
            idx = rng.choice(order, size=size, p=weights)
            age = np.maximum(created_day[idx] - 1, 1)
            days_ago = (rng.random(size) * age).astype(np.int64)
            teams = rng.integers(0, team_count, size=size)
            pair_pick = rng.integers(0, 1 << 20, size=size)
            ended = rng.random(size) < 0.2
            self.reuse_artifacts[start : start + size] = idx
            self.reuse_days[start : start + size] = days_ago

            def lines(
                start=start,
                size=size,
                idx=idx,
                days_ago=days_ago,
                teams=teams,
                pair_pick=pair_pick,
                ended=ended,
            ):
                for j in range(size):
                    i = idx[j]
                    pairs = self.permitted[self.templates[i]]
                    purpose, channel = pairs[pair_pick[j] % len(pairs)].split(":")
                    occurred = today - dt.timedelta(days=int(days_ago[j]))
                    end = (
                        (occurred + dt.timedelta(days=90)).isoformat()
                        if ended[j] and days_ago[j] > 90
                        else NULL
                    )
                    yield (
                        f"{r0 + start + j}\t{words.INITIATIVES[j % 10]} {occurred.year}\t{purpose}\t{channel}\t"
                        f"{'adapted' if j % 4 == 0 else 'as_is'}\t{occurred.isoformat()}\t{end}\t{decision}\t"
                        f"{occurred.isoformat()}T12:00:00+00:00\t{a0 + i}\t{self.teams[teams[j]][0]}\t{self.version0 + i}\n"
                    )

            cols = (
                "id",
                "initiative",
                "purpose",
                "channel",
                "mode",
                "occurred_on",
                "ended_on",
                "rights_decision",
                "created_at",
                "artifact_id",
                "team_id",
                "version_id",
            )
            with transaction.atomic(), history_ignored():
                constraints_immediate()
                copy_lines("catalogue_reuse", cols, lines(), progress=self._tick("reuses"))
                self._commit_phase("reuses", reason, {"reuses": size, "first_id": r0 + start})
        self.result.counts["reuses"] = m

    def _outcomes(self) -> None:
        metrics_ensure_defaults(acting_user=self.user)
        metrics = list(
            Metric.objects.order_by("code").values_list("pk", "min_value", "max_value", "direction")
        )
        if not len(self.reuse_artifacts):
            return
        rng = self.rng
        chosen = np.flatnonzero(
            np.isin(self.reuse_artifacts, self.popular)
            & (rng.random(len(self.reuse_artifacts)) < OUTCOME_SHARE)
        )
        noise = rng.normal(size=len(chosen))
        samples = rng.integers(50, 5000, size=len(chosen))
        today = self.now.date()

        def lines():
            for j, r in enumerate(chosen):
                i = int(self.reuse_artifacts[r])
                # One or two metrics per artifact, so rollup groups fill up as real ones do.
                metric_pk, low, high, _ = metrics[
                    (i * 7 + (r % 2 if i % 3 == 0 else 0)) % len(metrics)
                ]
                centre, spread = _metric_scale(low, high, i)
                value = min(max(centre + spread * noise[j], low), high)
                end = today - dt.timedelta(days=max(0, int(self.reuse_days[r]) - 60))
                start = end - dt.timedelta(days=30)
                yield (
                    f"{value:.4f}\t{samples[j]}\t{start.isoformat()}\t{end.isoformat()}\t{centre:.4f}\t\t"
                    f"{end.isoformat()}T18:00:00+00:00\t{metric_pk}\t{self.reuse0 + int(r)}\n"
                )

        cols = (
            "value",
            "sample_size",
            "period_start",
            "period_end",
            "baseline",
            "note",
            "created_at",
            "metric_id",
            "reuse_id",
        )
        constraints_immediate()
        self.result.counts["outcomes"] = copy_lines(
            "catalogue_outcome", cols, lines(), progress=self._tick("outcomes")
        )

    def _rollups(self) -> None:
        """Reuse rollups set-based; metric rollups (intervals) by the product's own recomputation."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO catalogue_artifactrollup (artifact_id, reuse_count, team_count, last_reused_on, updated_at) "
                "SELECT artifact_id, count(*), count(DISTINCT team_id), max(occurred_on), now() "
                "FROM catalogue_reuse WHERE artifact_id >= %s GROUP BY artifact_id "
                "ON CONFLICT (artifact_id) DO UPDATE SET reuse_count = EXCLUDED.reuse_count, "
                "team_count = EXCLUDED.team_count, last_reused_on = EXCLUDED.last_reused_on, updated_at = now()",
                [self.artifact0],
            )
            self.result.counts["artifact_rollups"] = cursor.rowcount
        differences = rollups_recompute(fix=True)
        self.result.counts["metric_rollups"] = sum(1 for d in differences if d.field == "n")
        self.progress("rollups", 1)

    def _tick(self, phase: str):
        return lambda n: self.progress(phase, n)


def _metric_scale(low, high, i: int) -> tuple[float, float]:
    """A per-artifact typical value and spread inside the metric's plausible range."""
    low = -10.0 if low is None else max(low, -1000.0)
    high = 10.0 if high is None else min(high, 10000.0)
    width = high - low
    quality = ((i * 2654435761) % 1000) / 1000
    centre = low + width * (0.35 + 0.3 * quality) if low < 0 else low + width * 0.02 * (1 + quality)
    return centre, max(width * 0.01, 1e-3) * (1 + 2 * math.sin(i) ** 2)


class _Timer:
    def __init__(self, into: dict):
        self.into = into

    def __call__(self, name: str):
        import time
        from contextlib import contextmanager

        @contextmanager
        def measure():
            start = time.perf_counter()
            yield
            self.into[name] = round(time.perf_counter() - start, 2)

        return measure()
