"""Import rows (parsed by `bulk/formats.py` from CSV or JSON) through the same services as the API.

One transaction for the whole file: every row is validated by the artifact services' own
cleaning (`clean_fields`, `clean_version`, `ensure_credit_within_one`, all public) and then written by
`artifact_register` / `artifact_update` / `version_create` / `version_update`; any error, or a
dry run, rolls everything back. Lookups (teams, contributors, existing artifacts, their
authors, links and versions) are batched: a fixed number of queries however many rows.
"""

import gc
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q

from ..bulk.formats import VERSION_COLUMNS, RowError
from ..models import Artifact, Authorship, Contributor, Lineage, Team, Version
from ..permissions import can_register_for_team
from ..rules import RuleViolation
from . import artifacts as artifact_services
from .audit import diff
from .bulk import artifacts_register_batch, contributors_create_batch

SCALARS = artifact_services.SCALAR_FIELDS
PSEUDONYM = re.compile(r"contributor-[0-9a-f]{10}")
NEW_REQUIRED = ("title", "kind", "owner_team")
RULE_COLUMNS = {
    "facts.lineage_locked": "derived_from",
    "facts.customer_derived_locked": "customer_derived",
    "lineage": "derived_from",
    "authorship": "authors",
    "version": "version",
    "artifact": "slug",
}

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
            "dry_run": self.dry_run,
            "committed": self.committed,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
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
    """(slug, problem) with the services' slug rules (`clean_slug`)."""
    try:
        return artifact_services.clean_slug(value), None
    except ValidationError as exc:
        return str(value or "").strip().lower(), exc.message_dict["slug"][0]


def import_rows(
    rows: Iterable[dict],
    *,
    acting_user,
    dry_run: bool = False,
    source: str = "json",
    progress: Progress | None = None,
    reason: str = "bulk import",
) -> ImportReport:
    """Validate and write every row in one transaction; errors or a dry run write nothing."""
    with _collector_paused():
        run = _Run(
            [dict(row) for row in rows],
            acting_user=acting_user,
            source=source,
            reason=reason,
            progress=progress,
        )
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the import: the rows, model instances and
    SQL parameters it allocates set off ~150 collections per 500 rows, each scanning the whole
    process heap (15-20% of the import's time, measured); reference counting still frees them.
    Restores the previous state, so a nested or concurrent pause is harmless."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Run:
    def __init__(
        self, rows: list[dict], *, acting_user, source: str, reason: str, progress: Progress | None
    ):
        self.rows, self.user, self.source, self.reason = rows, acting_user, source, reason
        self.progress = progress
        self.report = ImportReport(dry_run=False, rows=len(rows))
        self.failed: set[int] = set()  # row numbers with errors
        self.by_slug: dict[str, dict] = {}
        self.artifacts: dict[str, Artifact] = {}  # existing or created in this run, by slug
        self.versions: dict[str, dict[str, Version]] = defaultdict(dict)
        self.contributors: dict[str, Contributor] = {}
        self.contributor_problems: dict[str, str] = {}
        self.prepared: dict[int, dict] = {}  # row number -> checked service arguments
        self.deferred: list[tuple[dict, dict]] = []

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
                column = RULE_COLUMNS.get(reason.code) or RULE_COLUMNS.get(
                    reason.code.split(".", 1)[0], default_column
                )
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
        # Check every row first (in lineage order), then write: new artifacts in one batch,
        # existing ones one by one through artifact_update, then links that had to wait.
        total = 2 * len(order)
        for done, row in enumerate(order, start=1):
            self._validate(row)
            self._tick(done, total)
        ready = [
            r for r in order if r["__row__"] in self.prepared and r["__row__"] not in self.failed
        ]
        fresh = [r for r in ready if self.prepared[r["__row__"]]["existing"] is None]
        known = [r for r in ready if self.prepared[r["__row__"]]["existing"] is not None]
        self._write_new(fresh)
        self._tick(len(order) + len(fresh), total)
        for done, row in enumerate(known, start=len(order) + len(fresh) + 1):
            self._write_existing(row)
            self._tick(done, total)
        self._write_deferred_links()
        self._tick(total, total)

    def _tick(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(done, total)

    def _index_slugs(self) -> None:
        for row in self.rows:
            slug, problem = normalise_slug(row.get("slug"))
            row["__slug__"] = slug
            if problem:
                self.error(row, "slug", problem)
            elif slug in self.by_slug:
                self.error(
                    row,
                    "slug",
                    f"Slug '{slug}' appears twice in the file (also on row {self.by_slug[slug]['__row__']}).",
                )
            else:
                self.by_slug[slug] = row

    def _load(self) -> None:
        """Every lookup the rows need, in a fixed number of queries."""
        team_slugs = {str(r.get("owner_team") or "").strip() for r in self.rows}
        self.teams = {t.slug: t for t in Team.objects.filter(slug__in=team_slugs - {""})}
        wanted = set(self.by_slug) | {
            str(link.get("artifact") or "").strip().lower()
            for r in self.rows
            for link in r.get("derived_from") or ()
        }
        existing = (
            Artifact.objects.filter(slug__in=wanted - {""})
            .select_related("owner_team")
            .prefetch_related(
                Prefetch("authorships", queryset=Authorship.objects.order_by("id")),
                Prefetch(
                    "parent_links",
                    queryset=Lineage.objects.select_related("parent", "parent_version"),
                ),
                Prefetch("versions", queryset=Version.objects.order_by("created_at", "id")),
            )
        )
        for artifact in existing:
            self.artifacts[artifact.slug] = artifact
            self.versions[artifact.slug] = {v.version: v for v in artifact.versions.all()}
        refs = {
            str(a.get("contributor") or "").strip()
            for r in self.rows
            for a in r.get("authors") or ()
        } - {""}
        matches: dict[str, list[Contributor]] = defaultdict(list)
        for contributor in Contributor.objects.filter(
            Q(pseudonym__in=refs) | Q(external_ref__in=refs)
        ):
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
        specs: dict[str, dict] = {}
        for row in self.rows:
            for author in row.get("authors") or ():
                ref = str(author.get("contributor") or "").strip()
                if not ref or ref in self.contributors or ref in self.contributor_problems:
                    continue
                if not author.get("kind"):
                    continue
                key = "pseudonym" if PSEUDONYM.fullmatch(ref) else "external_ref"
                specs.setdefault(
                    ref,
                    {
                        key: ref,
                        "kind": author["kind"],
                        "organisation": author.get("organisation", ""),
                    },
                )
        if not specs:
            return
        try:
            created = contributors_create_batch(
                acting_user=self.user, specs=list(specs.values()), reason=self.reason
            )
        except ValidationError as exc:
            for ref, messages in exc.message_dict.items():
                self.contributor_problems[ref] = (
                    f"Cannot create contributor '{ref}': {' '.join(messages)}"
                )
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
                for s in dict.fromkeys(
                    str(link.get("artifact") or "").strip().lower()
                    for link in r.get("derived_from") or ()
                )
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
        cycles = [
            (row, message)
            for row in stuck
            if (message := self._cycle_through(row, parents, pending))
        ]
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
                loop = path[numbers.index(nxt["__row__"]) :]
                if loop[0] is not row:
                    return None
                names = " → ".join([r["__slug__"] for r in loop] + [row["__slug__"]])
                rows = ", ".join(str(r["__row__"]) for r in loop)
                return f"Lineage cycle within the file: {names} (rows {rows})."
            path.append(nxt)
            current = nxt

    # --- checking one row ------------------------------------------------------------------

    def _validate(self, row: dict) -> None:
        """Run the services' own cleaning on the row, recording every problem it has."""
        slug = row["__slug__"]
        primary = self.by_slug.get(slug) is row  # not a bad or duplicated slug
        existing = self.artifacts.get(slug) if primary else None
        if existing is not None and not self.user.has_perm("catalogue.view_artifact", existing):
            # The same words as a slug the requester can see and may not update (Rule 8: no oracle).
            self.error(row, "slug", artifact_services.slug_unavailable_message(slug))
            return
        fields = self._fields(row, existing)
        versions = self._clean_versions(row)
        team = fields.get("owner_team")
        if (
            existing is None
            and isinstance(team, Team)
            and not can_register_for_team(self.user, team)
        ):
            self.error(row, "owner_team", "You may register artifacts only for your own teams.")
        if primary:
            self.prepared[row["__row__"]] = {
                "existing": existing,
                "fields": fields,
                "versions": versions,
            }

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
            if team is None:
                self.error(row, "owner_team", f"Unknown team '{team_slug}'.")
            fields["owner_team"] = team or _Missing(-1, team_slug)
        if "authors" in row:
            fields["authors"] = [
                self._author(row, i, a) for i, a in enumerate(row["authors"], start=1)
            ]
        if "derived_from" in row:
            fields["parents"] = [
                self._parent(row, i, p) for i, p in enumerate(row["derived_from"], start=1)
            ]
        probe = dict(fields)
        if isinstance(probe.get("owner_team"), _Missing):
            probe.pop("owner_team")  # already reported as unknown
        try:
            cleaned = artifact_services.clean_fields(probe)
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
        return {
            "contributor": contributor,
            "role": author.get("role"),
            "credit_share": 0 if share in (None, "") else share,
        }

    def _parent(self, row: dict, position: int, link: dict) -> dict:
        """A parent link with real objects where they exist, stand-ins for rows not written yet;
        `slug` and `label` let the writing phase find them once they exist."""
        slug = str(link.get("artifact") or "").strip().lower()
        label = str(link.get("version") or "").strip()
        in_file = self.by_slug.get(slug)
        parent: Artifact | _Missing | None = self.artifacts.get(slug)
        if parent is not None and not self.user.has_perm("catalogue.view_artifact", parent):
            parent = None  # an invisible artifact reads as unknown (Rule 8)
        file_versions = set()
        if in_file is not None and in_file is not row:
            if in_file["__row__"] in self.failed:
                if parent is None:
                    self.error(
                        row,
                        "derived_from",
                        f"Parent {position}: '{slug}' (row {in_file['__row__']}) could not be imported.",
                    )
                parent = parent or _Missing(-1000 - position, slug)
            else:
                file_versions = {
                    v["version"]
                    for v in self.prepared.get(in_file["__row__"], {}).get("versions", ())
                }
                parent = parent or _Missing(-1000 - position, slug)
        elif parent is None:
            if in_file is None:
                self.error(row, "derived_from", f"Parent {position}: unknown artifact '{slug}'.")
            parent = _Missing(-1000 - position, slug)
        version: Version | _Missing | None = None
        if label:
            version = self.versions.get(slug, {}).get(label)
            if version is None and label not in file_versions:
                if (
                    not isinstance(parent, _Missing)
                    or in_file is not None
                    and in_file["__row__"] not in self.failed
                ):
                    self.error(
                        row,
                        "derived_from",
                        f"Parent {position}: '{slug}' has no version '{label}'.",
                    )
            if version is None:
                version = _Missing(-2000 - position, label, artifact_id=parent.pk)
        return {
            "artifact": parent,
            "relation": link.get("relation"),
            "version": version,
            "slug": slug,
            "label": label,
        }

    def _clean_versions(self, row: dict) -> list[dict]:
        cleaned, seen = [], set()
        for position, entry in enumerate(row.get("versions") or (), start=1):
            try:
                version, changelog, uri = artifact_services.clean_version(
                    entry.get("version", ""), entry.get("changelog") or "", entry.get("uri") or ""
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.error(
                            row, column_for(name, self.source), f"Version {position}: {message}"
                        )
                continue
            if version in seen:
                self.error(
                    row, column_for("version", self.source), f"Version {version} is listed twice."
                )
                continue
            seen.add(version)
            cleaned.append(
                {
                    "version": version,
                    "changelog": changelog if "changelog" in entry else None,
                    "uri": uri if "uri" in entry else None,
                }
            )
        return cleaned

    # --- writing ---------------------------------------------------------------------------

    def _write_new(self, rows: list[dict]) -> None:
        """All new artifacts in one batch (`artifacts_register_batch`: the register rules)."""
        if not rows:
            return
        fresh = {r["__slug__"] for r in rows}
        items = []
        for row in rows:
            prepared = self.prepared[row["__row__"]]
            fields = {k: v for k, v in prepared["fields"].items() if k != "parents"}
            parents = []
            for link in prepared["fields"].get("parents", ()):
                if link["slug"] in fresh:
                    parents.append(
                        {
                            "artifact": link["slug"],
                            "relation": link["relation"],
                            "version": link["label"] or None,
                        }
                    )
                elif link["label"] and link["label"] not in self.versions.get(link["slug"], {}):
                    self.deferred.append(
                        (row, link)
                    )  # a version this file adds to an existing parent
                else:
                    parents.append(self._resolved(link))
            items.append(
                {
                    "slug": row["__slug__"],
                    **fields,
                    "parents": parents,
                    "versions": [
                        {
                            "version": v["version"],
                            "changelog": v["changelog"] or "",
                            "uri": v["uri"] or "",
                        }
                        for v in prepared["versions"]
                    ],
                }
            )
        try:
            created = artifacts_register_batch(
                acting_user=self.user, items=items, reason=self.reason
            )
        except (ValidationError, RuleViolation, PermissionDenied) as exc:
            # Every row was checked with the same rules, so this means the data changed meanwhile.
            self.service_error({"__row__": None}, exc, default_column="")
            return
        for artifact in created:
            self.artifacts[artifact.slug] = artifact
            self.report.created.append(artifact.slug)
        if not any(item["versions"] for item in items):
            return
        slugs = {a.pk: a.slug for a in created}
        for version in Version.objects.filter(artifact__in=created):
            self.versions[slugs[version.artifact_id]][version.version] = version

    def _resolved(self, link: dict) -> dict:
        artifact = self.artifacts[link["slug"]]
        version = self.versions.get(link["slug"], {}).get(link["label"]) if link["label"] else None
        return {"artifact": artifact, "relation": link["relation"], "version": version}

    def _write_existing(self, row: dict) -> None:
        prepared = self.prepared[row["__row__"]]
        existing, fields = prepared["existing"], dict(prepared["fields"])
        if "parents" in fields:
            fields["parents"] = [self._resolved(link) for link in fields["parents"]]
        try:
            artifact, outcome = self._update(existing, fields)
            self.artifacts[artifact.slug] = artifact
            if self._write_versions(artifact, prepared["versions"]) and outcome == "unchanged":
                outcome = "updated"
        except (ValidationError, RuleViolation, PermissionDenied) as exc:
            self.service_error(row, exc, default_column="slug")
            return
        getattr(self.report, outcome).append(artifact.slug)

    def _write_deferred_links(self) -> None:
        for row, link in self.deferred:
            resolved = self._resolved(link)
            try:
                artifact_services.lineage_add(
                    acting_user=self.user,
                    child=self.artifacts[row["__slug__"]],
                    parent=resolved["artifact"],
                    relation=link["relation"],
                    parent_version=resolved["version"],
                    reason=self.reason,
                )
            except (ValidationError, RuleViolation, PermissionDenied) as exc:
                self.service_error(row, exc, default_column="derived_from")

    def _update(self, existing: Artifact, fields: dict) -> tuple[Artifact, str]:
        if not self._differs(existing, fields):
            return existing, "unchanged"
        before = existing.updated_at
        artifact = artifact_services.artifact_update(
            acting_user=self.user, artifact=existing, reason=self.reason, **fields
        )
        return artifact, ("updated" if artifact.updated_at != before else "unchanged")

    def _differs(self, existing: Artifact, fields: dict) -> bool:
        cleaned = artifact_services.clean_fields(dict(fields))
        if diff(existing, {k: v for k, v in cleaned.items() if k in SCALARS}):
            return True
        if "authors" in cleaned:
            have = sorted(
                (a.contributor_id, a.role, a.credit_share) for a in existing.authorships.all()
            )
            want = sorted(
                (a["contributor"].pk, a["role"], Decimal(a["credit_share"]))
                for a in cleaned["authors"]
            )
            if have != want:
                return True
        if "parents" in cleaned:
            have_links = {
                (link.parent_id, link.relation, link.parent_version_id)
                for link in existing.parent_links.all()
                if self.user.has_perm("catalogue.view_artifact", link.parent)
            }
            want_links = {
                (p["artifact"].pk, p["relation"], getattr(p["version"], "pk", None))
                for p in cleaned["parents"]
            }
            if have_links != want_links:
                return True
        return False

    def _write_versions(self, artifact: Artifact, versions: list[dict]) -> bool:
        known = self.versions[artifact.slug]
        changed = False
        for entry in versions:
            current = known.get(entry["version"])
            if current is None:
                known[entry["version"]] = artifact_services.version_create(
                    acting_user=self.user,
                    artifact=artifact,
                    version=entry["version"],
                    changelog=entry["changelog"] or "",
                    uri=entry["uri"] or "",
                    reason=self.reason,
                )
                changed = True
                continue
            updates = {
                k: entry[k]
                for k in ("changelog", "uri")
                if entry[k] is not None and entry[k] != getattr(current, k)
            }
            if updates:
                known[entry["version"]] = artifact_services.version_update(
                    acting_user=self.user, version=current, reason=self.reason, **updates
                )
                changed = True
        return changed
