"""Import rows (from CSV or JSON, see `formats.py`) through the same services as the API.

One transaction for the whole file: every row is validated by the artifact services' own
cleaning (`_clean_fields`, `_clean_version`, `ensure_credit_within_one`) and then written by
`artifact_register` / `artifact_update` / `version_create` / `version_update`; any error, or a
dry run, rolls everything back. Lookups (teams, contributors, existing artifacts, their
authors, links and versions) are batched: a fixed number of queries however many rows.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Prefetch, Q

from ..models import Artifact, Authorship, Contributor, Lineage, Team, Version
from ..rules import RuleViolation
from ..services import artifacts as artifact_services
from ..services.audit import diff
from .formats import VERSION_COLUMNS, RowError

SCALARS = artifact_services.SCALAR_FIELDS
PSEUDONYM = re.compile(r"contributor-[0-9a-f]{10}")
NEW_REQUIRED = ("title", "kind", "owner_team")
RULE_COLUMNS = {"lineage": "derived_from", "authorship": "authors", "version": "version", "artifact": "slug"}

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): slugs per outcome and every error."""

    dry_run: bool
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    contributors_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run, "committed": self.committed, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "contributors_created": self.contributors_created,
            "errors": [e.as_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        report = cls(**{k: v for k, v in data.items() if k != "errors"})
        report.errors = [RowError(**e) for e in data.get("errors", [])]
        return report


class _Missing:
    """Stands in for a contributor, artifact or version that does not exist (yet) while the
    shared cleaning runs, so its messages keep their entry numbers and no duplicate is reported."""

    def __init__(self, pk: int, label: str, artifact_id: int | None = None):
        self.pk, self.slug, self.artifact_id, self._label = pk, label, artifact_id, label

    def __str__(self) -> str:
        return self._label


def column_for(name: str, source: str) -> str:
    """File column of a service field name (`parents` is the file's `derived_from`)."""
    if name in ("parents", "artifact"):
        return "derived_from"
    if name in VERSION_COLUMNS:
        return VERSION_COLUMNS[name] if source == "csv" else "versions"
    if name in ("non_field_errors", "__all__"):
        return ""
    return name


def normalise_slug(value) -> tuple[str, str | None]:
    """(slug, problem) with the services' slug rules."""
    slug = str(value or "").strip().lower()
    if not slug:
        return slug, "A slug is required."
    try:
        validate_slug(slug)
    except ValidationError:
        return slug, "Use letters, numbers, hyphens or underscores."
    if len(slug) > 120:
        return slug, "At most 120 characters."
    return slug, None


def import_rows(
    rows: Iterable[dict], *, acting_user, dry_run: bool = False, source: str = "json",
    progress: Progress | None = None, reason: str = "bulk import",
) -> ImportReport:
    """Validate and write every row in one transaction; errors or a dry run write nothing."""
    run = _Run(list(rows), acting_user=acting_user, source=source, reason=reason, progress=progress)
    report = run.report
    report.dry_run = dry_run
    with transaction.atomic():
        run.execute()
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            report.committed = True
    report.errors.sort(key=lambda e: (e.row is None, e.row or 0))
    return report


class _Run:
    def __init__(self, rows: list[dict], *, acting_user, source: str, reason: str, progress: Progress | None):
        self.rows, self.user, self.source, self.reason = rows, acting_user, source, reason
        self.progress = progress
        self.report = ImportReport(dry_run=False, rows=len(rows))
        self.failed: set[int] = set()  # row numbers with errors
        self.by_slug: dict[str, dict] = {}
        self.artifacts: dict[str, Artifact] = {}  # existing or created in this run, by slug
        self.versions: dict[str, dict[str, Version]] = defaultdict(dict)
        self.contributors: dict[str, Contributor] = {}
        self.contributor_problems: dict[str, str] = {}

    # --- errors ----------------------------------------------------------------------------

    def error(self, row: dict, column: str, message: str) -> None:
        self.failed.add(row["__row__"])
        self.report.errors.append(RowError(row["__row__"], column, message))

    def service_error(self, row: dict, exc: Exception, *, default_column: str) -> None:
        if isinstance(exc, ValidationError):
            if hasattr(exc, "error_dict"):
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.error(row, column_for(name, self.source) or default_column, message)
            else:
                for message in exc.messages:
                    self.error(row, default_column, message)
        elif isinstance(exc, RuleViolation):
            for reason in exc.reasons or []:
                column = RULE_COLUMNS.get(reason.code.split(".", 1)[0], default_column)
                self.error(row, column_for(column, self.source), f"{exc.detail} {reason.message}")
            if not exc.reasons:
                self.error(row, default_column, exc.detail)
        else:
            self.error(row, default_column, str(exc) or "You may not do this.")

    # --- phases ----------------------------------------------------------------------------

    def execute(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.setdefault("__row__", number)
            for problem in row.get("__errors__") or ():
                self.failed.add(row["__row__"])
                self.report.errors.append(problem)
        self._index_slugs()
        self._load()
        self._create_contributors()
        order, cycles = self._order()
        for row, message in cycles:
            self.error(row, "derived_from", message)
        total = len(order)
        for done, row in enumerate(order, start=1):
            self._process(row)
            if self.progress:
                self.progress(done, total)

    def _index_slugs(self) -> None:
        for row in self.rows:
            slug, problem = normalise_slug(row.get("slug"))
            row["__slug__"] = slug
            if problem:
                self.error(row, "slug", problem)
            elif slug in self.by_slug:
                self.error(row, "slug", f"Slug '{slug}' appears twice in the file (also on row {self.by_slug[slug]['__row__']}).")
            else:
                self.by_slug[slug] = row

    def _load(self) -> None:
        """Every lookup the rows need, in a fixed number of queries."""
        team_slugs = {str(r.get("owner_team") or "").strip() for r in self.rows}
        self.teams = {t.slug: t for t in Team.objects.filter(slug__in=team_slugs - {""})}
        wanted = set(self.by_slug) | {
            str(link.get("artifact") or "").strip().lower() for r in self.rows for link in r.get("derived_from") or ()
        }
        existing = (
            Artifact.objects.filter(slug__in=wanted - {""})
            .select_related("owner_team")
            .prefetch_related(
                Prefetch("authorships", queryset=Authorship.objects.order_by("id")),
                Prefetch("parent_links", queryset=Lineage.objects.select_related("parent", "parent_version")),
                Prefetch("versions", queryset=Version.objects.order_by("created_at", "id")),
            )
        )
        for artifact in existing:
            self.artifacts[artifact.slug] = artifact
            self.versions[artifact.slug] = {v.version: v for v in artifact.versions.all()}
        refs = {str(a.get("contributor") or "").strip() for r in self.rows for a in r.get("authors") or ()} - {""}
        matches: dict[str, list[Contributor]] = defaultdict(list)
        for contributor in Contributor.objects.filter(Q(pseudonym__in=refs) | Q(external_ref__in=refs)):
            if contributor.pseudonym in refs:
                self.contributors[contributor.pseudonym] = contributor
            if contributor.external_ref in refs:
                matches[contributor.external_ref].append(contributor)
        for ref, found in matches.items():
            if ref in self.contributors:
                continue
            if len(found) > 1:
                self.contributor_problems[ref] = (
                    f"External reference '{ref}' matches {len(found)} contributors; use the pseudonym instead."
                )
            else:
                self.contributors[ref] = found[0]

    def _create_contributors(self) -> None:
        """Unknown contributors whose kind the file gives are created (once each) first."""
        from ..services.bulk import contributors_create_batch

        specs: dict[str, dict] = {}
        for row in self.rows:
            for author in row.get("authors") or ():
                ref = str(author.get("contributor") or "").strip()
                if not ref or ref in self.contributors or ref in self.contributor_problems:
                    continue
                if not author.get("kind"):
                    continue
                key = "pseudonym" if PSEUDONYM.fullmatch(ref) else "external_ref"
                specs.setdefault(ref, {key: ref, "kind": author["kind"], "organisation": author.get("organisation", "")})
        if not specs:
            return
        try:
            created = contributors_create_batch(acting_user=self.user, specs=list(specs.values()), reason=self.reason)
        except ValidationError as exc:
            for ref, messages in exc.message_dict.items():
                self.contributor_problems[ref] = f"Cannot create contributor '{ref}': {' '.join(messages)}"
            return
        except PermissionDenied as exc:
            for ref in specs:
                self.contributor_problems[ref] = f"Cannot create contributor '{ref}': {exc}"
            return
        for ref, contributor in zip(specs, created, strict=True):
            self.contributors[ref] = contributor
            self.report.contributors_created.append(ref)

    def _order(self) -> tuple[list[dict], list[tuple[dict, str]]]:
        """Rows with in-file parents after those parents; rows on a cycle are reported."""
        parents = {
            r["__row__"]: [
                self.by_slug[s]
                for s in dict.fromkeys(str(link.get("artifact") or "").strip().lower() for link in r.get("derived_from") or ())
                if s in self.by_slug
            ]
            for r in self.rows
        }
        children = defaultdict(list)
        pending = {}
        for row in self.rows:
            pending[row["__row__"]] = len(parents[row["__row__"]])
            for parent in parents[row["__row__"]]:
                children[parent["__row__"]].append(row)
        order = [r for r in self.rows if pending[r["__row__"]] == 0]
        position = 0
        while position < len(order):
            for child in children[order[position]["__row__"]]:
                pending[child["__row__"]] -= 1
                if pending[child["__row__"]] == 0:
                    order.append(child)
            position += 1
        stuck = [r for r in self.rows if pending[r["__row__"]] > 0]
        cycles = [(row, message) for row in stuck if (message := self._cycle_through(row, parents, pending))]
        on_cycle = {row["__row__"] for row, _ in cycles}
        # Rows merely downstream of a cycle still run (and report their parent as failed).
        return order + [r for r in stuck if r["__row__"] not in on_cycle], cycles

    @staticmethod
    def _cycle_through(row: dict, parents: dict, pending: dict) -> str | None:
        """Walk unresolved parents from `row`; a message if the walk comes back to `row`."""
        path, current = [row], row
        while True:
            nxt = next((p for p in parents[current["__row__"]] if pending[p["__row__"]] > 0), None)
            if nxt is None:
                return None
            numbers = [r["__row__"] for r in path]
            if nxt["__row__"] in numbers:
                loop = path[numbers.index(nxt["__row__"]):]
                if loop[0] is not row:
                    return None
                names = " → ".join([r["__slug__"] for r in loop] + [row["__slug__"]])
                rows = ", ".join(str(r["__row__"]) for r in loop)
                return f"Lineage cycle within the file: {names} (rows {rows})."
            path.append(nxt)
            current = nxt

    # --- one row ---------------------------------------------------------------------------

    def _process(self, row: dict) -> None:
        slug = row["__slug__"]
        primary = self.by_slug.get(slug) is row  # not a bad or duplicated slug
        existing = self.artifacts.get(slug) if primary else None
        if existing is not None and not self.user.has_perm("catalogue.view_artifact", existing):
            self.error(row, "slug", "An artifact with this slug already exists.")
            return
        # Every row is checked, so the report lists all its problems, not just the first.
        fields = self._fields(row, existing)
        versions = self._clean_versions(row)
        if row["__row__"] in self.failed or not primary:
            return
        try:
            if existing is None:
                artifact = artifact_services.artifact_register(
                    acting_user=self.user, slug=slug, reason=self.reason, **fields
                )
                outcome = "created"
            else:
                artifact, outcome = self._update(existing, fields)
            self.artifacts[slug] = artifact
            changed_versions = self._write_versions(row, artifact, versions)
        except (ValidationError, RuleViolation, PermissionDenied) as exc:
            default = "owner_team" if existing is None and isinstance(exc, PermissionDenied) else "slug"
            self.service_error(row, exc, default_column=default)
            return
        if outcome == "unchanged" and changed_versions:
            outcome = "updated"
        getattr(self.report, outcome).append(slug)

    def _fields(self, row: dict, existing: Artifact | None) -> dict:
        """The row as service arguments, checked by the services' own cleaning."""
        fields = {name: row[name] for name in SCALARS if name in row and name != "owner_team"}
        if existing is None:
            for name in NEW_REQUIRED:
                if not str(row.get(name) or "").strip():
                    self.error(row, name, "Required for a new artifact.")
        team_slug = str(row.get("owner_team") or "").strip()
        if team_slug:
            team = self.teams.get(team_slug)
            if team is None and team_slug:
                self.error(row, "owner_team", f"Unknown team '{team_slug}'.")
            fields["owner_team"] = team or _Missing(-1, team_slug)
        if "authors" in row:
            fields["authors"] = [self._author(row, i, a) for i, a in enumerate(row["authors"], start=1)]
        if "derived_from" in row:
            fields["parents"] = [self._parent(row, i, p) for i, p in enumerate(row["derived_from"], start=1)]
        probe = dict(fields)
        if isinstance(probe.get("owner_team"), _Missing):
            probe.pop("owner_team")  # already reported as unknown
        try:
            cleaned = artifact_services._clean_fields(probe)
            if "authors" in cleaned:
                artifact_services.ensure_credit_within_one(cleaned["authors"])
        except (ValidationError, RuleViolation) as exc:
            self.service_error(row, exc, default_column="slug")
        return fields

    def _author(self, row: dict, position: int, author: dict) -> dict:
        ref = str(author.get("contributor") or "").strip()
        contributor: Contributor | _Missing | None = self.contributors.get(ref)
        if contributor is None:
            problem = self.contributor_problems.get(ref) or (
                f"Unknown contributor '{ref}': use a pseudonym or external reference, "
                "or give its kind to create it."
            )
            self.error(row, "authors", f"Author {position}: {problem}")
            contributor = _Missing(-position, ref)
        share = author.get("credit_share")
        return {"contributor": contributor, "role": author.get("role"), "credit_share": 0 if share in (None, "") else share}

    def _parent(self, row: dict, position: int, link: dict) -> dict:
        slug = str(link.get("artifact") or "").strip().lower()
        parent: Artifact | _Missing | None = self.artifacts.get(slug)
        in_file = self.by_slug.get(slug)
        if parent is None or not self.user.has_perm("catalogue.view_artifact", parent):
            if in_file is not None and in_file is not row:
                self.error(row, "derived_from", f"Parent {position}: '{slug}' (row {in_file['__row__']}) could not be imported.")
            elif in_file is None:
                self.error(row, "derived_from", f"Parent {position}: unknown artifact '{slug}'.")
            parent = _Missing(-1000 - position, slug)
        assert parent is not None
        version: Version | _Missing | None = None
        label = str(link.get("version") or "").strip()
        if label:
            version = self.versions.get(slug, {}).get(label)
            if version is None and not isinstance(parent, _Missing):
                self.error(row, "derived_from", f"Parent {position}: '{slug}' has no version '{label}'.")
            if version is None:
                version = _Missing(-2000 - position, label, artifact_id=parent.pk)
        return {"artifact": parent, "relation": link.get("relation"), "version": version}

    def _clean_versions(self, row: dict) -> list[dict]:
        cleaned, seen = [], set()
        for position, entry in enumerate(row.get("versions") or (), start=1):
            try:
                version, changelog, uri = artifact_services._clean_version(
                    entry.get("version", ""), entry.get("changelog") or "", entry.get("uri") or ""
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.error(row, column_for(name, self.source), f"Version {position}: {message}")
                continue
            if version in seen:
                self.error(row, column_for("version", self.source), f"Version {version} is listed twice.")
                continue
            seen.add(version)
            cleaned.append({
                "version": version,
                "changelog": changelog if "changelog" in entry else None,
                "uri": uri if "uri" in entry else None,
            })
        return cleaned

    def _update(self, existing: Artifact, fields: dict) -> tuple[Artifact, str]:
        if not self._differs(existing, fields):
            return existing, "unchanged"
        before = existing.updated_at
        artifact = artifact_services.artifact_update(
            acting_user=self.user, artifact=existing, reason=self.reason, **fields
        )
        return artifact, ("updated" if artifact.updated_at != before else "unchanged")

    def _differs(self, existing: Artifact, fields: dict) -> bool:
        cleaned = artifact_services._clean_fields(dict(fields))
        if diff(existing, {k: v for k, v in cleaned.items() if k in SCALARS}):
            return True
        if "authors" in cleaned:
            have = sorted((a.contributor_id, a.role, a.credit_share) for a in existing.authorships.all())
            want = sorted((a["contributor"].pk, a["role"], Decimal(a["credit_share"])) for a in cleaned["authors"])
            if have != want:
                return True
        if "parents" in cleaned:
            have_links = {
                (link.parent_id, link.relation, link.parent_version_id)
                for link in existing.parent_links.all()
                if self.user.has_perm("catalogue.view_artifact", link.parent)
            }
            want_links = {(p["artifact"].pk, p["relation"], getattr(p["version"], "pk", None)) for p in cleaned["parents"]}
            if have_links != want_links:
                return True
        return False

    def _write_versions(self, row: dict, artifact: Artifact, versions: list[dict]) -> bool:
        known = self.versions[artifact.slug]
        changed = False
        for entry in versions:
            current = known.get(entry["version"])
            if current is None:
                known[entry["version"]] = artifact_services.version_create(
                    acting_user=self.user, artifact=artifact, version=entry["version"],
                    changelog=entry["changelog"] or "", uri=entry["uri"] or "", reason=self.reason,
                )
                changed = True
                continue
            updates = {
                k: entry[k] for k in ("changelog", "uri") if entry[k] is not None and entry[k] != getattr(current, k)
            }
            if updates:
                known[entry["version"]] = artifact_services.version_update(
                    acting_user=self.user, version=current, reason=self.reason, **updates
                )
                changed = True
        return changed
