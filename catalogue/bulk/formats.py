"""Reading and writing the exchange files (CSV and JSON): encodings, cells, rows.

Both formats become the same row dicts (the JSON shape, see `templates.py` for every field):
scalar fields, `tags`/`channels`/`constraint_tags` lists, `authors`, `derived_from` and
`versions` lists of dicts. A row holds only the fields its file provides (absent = unchanged
on re-import), its number in `__row__` and problems found while reading in `__errors__`.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.conf import settings

# CSV columns in export order; `status` is written for readers and ignored on import.
COLUMNS = (
    "slug",
    "title",
    "kind",
    "owner_team",
    "sensitivity",
    "customer_derived",
    "summary",
    "intent",
    "constraints",
    "constraint_tags",
    "tags",
    "channels",
    "authors",
    "derived_from",
    "version",
    "version_changelog",
    "version_uri",
    "status",
)
REQUIRED_COLUMNS = ("slug", "title", "kind", "owner_team")
IGNORED_FIELDS = frozenset({"status", "current_version", "created_at", "updated_at", "id", "url"})
TEXT_FIELDS = (
    "slug",
    "title",
    "kind",
    "owner_team",
    "sensitivity",
    "summary",
    "intent",
    "constraints",
)
LIST_FIELDS = ("constraint_tags", "tags", "channels")
# A blank cell here means "not given": the default for a new artifact, unchanged for an existing one.
BLANK_MEANS_UNSET = frozenset({"sensitivity", "owner_team"})
VERSION_COLUMNS = {"version": "version", "changelog": "version_changelog", "uri": "version_uri"}
JSON_FIELDS = frozenset(
    {*TEXT_FIELDS, *LIST_FIELDS, "customer_derived", "authors", "derived_from", "versions"}
)

LIST_SEP = ";"
PART_SEP = "|"
ESCAPE = "\\"
# OWASP CSV injection: cells starting with these are formulas (or become one) in spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", ""})


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the spreadsheet row (header = 1) or JSON item (first = 1)."""

    row: int | None
    column: str
    message: str
    code: str = ""  # set for refusals that have a stable code (the upload checks: upload.*)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            **({"code": self.code} if self.code else {}),
        }

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, column {self.column or '-'}: {self.message}"


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, syntax, columns, size)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ParsedFile:
    format: str  # "csv" or "json"
    rows: list[dict] = field(default_factory=list)


# --- encodings --------------------------------------------------------------------------

_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)
SAVE_AS = "Save the file as UTF-8 (for example 'CSV UTF-8' in Excel) and upload it again."


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused naming the problem and where."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    else:
        for bom, name in _FOREIGN_BOMS:
            if data.startswith(bom):
                raise FileProblem(
                    [RowError(None, "", f"The file is encoded as {name}, not UTF-8. {SAVE_AS}")]
                )
    if b"\x00" in data[:4096]:
        offset = data.index(b"\x00")
        raise FileProblem(
            [
                RowError(
                    data.count(b"\n", 0, offset) + 1,
                    "",
                    f"The file contains NUL bytes (first at byte offset {offset}); it looks like UTF-16 "
                    f"without a byte order mark, not UTF-8. {SAVE_AS}",
                )
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        guess = ""
        try:
            data.decode("cp1252")
            guess = " It looks like Windows-1252 / Latin-1."
        except UnicodeDecodeError:
            pass
        raise FileProblem(
            [
                RowError(
                    line,
                    "",
                    f"The file is not valid UTF-8: byte 0x{bad} at byte offset {exc.start} (line {line}).{guess} {SAVE_AS}",
                )
            ]
        ) from None


def check_size(size: int) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise FileProblem(
            [
                RowError(
                    None,
                    "",
                    f"The file is {size:,} bytes; the limit is {limit:,} bytes. Split it into smaller files.",
                )
            ]
        )


def check_row_count(count: int) -> None:
    """Refuse a file with more than MAX_IMPORT_ROWS rows, before any row is read into memory."""
    limit = settings.MAX_IMPORT_ROWS
    if count > limit:
        raise FileProblem(
            [
                RowError(
                    None,
                    "",
                    f"The file has more than {limit:,} rows; at most {limit:,} rows are imported at once "
                    "(MAX_IMPORT_ROWS). Split it into smaller files.",
                )
            ]
        )


# --- cells ------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Make a text cell inert in spreadsheets; numbers (also negative) stay numbers."""
    if not value or NUMBER.fullmatch(value):
        return value
    if value.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` exactly (the importer's side of the round trip)."""
    if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_STARTS:
        return value[1:]
    return value


def escape(item: str) -> str:
    return (
        str(item)
        .replace(ESCAPE, ESCAPE * 2)
        .replace(LIST_SEP, ESCAPE + LIST_SEP)
        .replace(PART_SEP, ESCAPE + PART_SEP)
    )


def join_escaped(items, sep: str) -> str:
    return (sep + " " if sep == LIST_SEP else sep).join(escape(i) for i in items)


def split_escaped(text: str, sep: str, *, keep_escapes: bool = False) -> list[str]:
    """Split on `sep` not preceded by a backslash; `\\;`, `\\|` and `\\\\` become literals.

    `keep_escapes` leaves escape sequences in the parts, for a second split on another separator.
    """
    parts, current, chars = [], [], iter(text)
    for ch in chars:
        if ch == ESCAPE:
            if keep_escapes:
                current.append(ch)
            current.append(next(chars, ""))
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{value}' is not true or false (use true/false, yes/no or 1/0).")


# --- reading ----------------------------------------------------------------------------


def detect_format(data: bytes, filename: str = "") -> str:
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    head = data.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    return "json" if head in (b"[", b"{") else "csv"


def parse(data: bytes, *, filename: str = "", fmt: str | None = None) -> ParsedFile:
    """Decode and read a whole file into row dicts; FileProblem for file-level problems."""
    check_size(len(data))
    fmt = fmt or detect_format(data, filename)
    text = decode(data)
    if not text.strip():
        raise FileProblem([RowError(None, "", "The file is empty.")])
    rows = read_json(text) if fmt == "json" else read_csv(text)
    return ParsedFile(format=fmt, rows=rows)


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    scores = {
        d: len({c.strip().strip('"') for c in header.split(d)} & set(COLUMNS))
        for d in (",", ";", "\t")
    }
    best = max(scores, key=lambda d: scores[d])
    return best if scores[best] else ","


def read_csv(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise FileProblem([RowError(1, "", f"Cannot read the header row: {exc}")]) from None
    problems = [
        RowError(1, c, f"Required column '{c}' is missing.")
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(RowError(1, name, f"Column '{name}' appears twice."))
        elif name and name not in COLUMNS:
            problems.append(
                RowError(1, name, f"Unknown column '{name}'; see the template for the columns.")
            )
        seen.add(name)
    if problems:
        raise FileProblem(problems)
    rows: list[dict] = []
    try:
        for index, record in enumerate(reader):
            if not any(cell.strip() for cell in record):
                continue
            check_row_count(len(rows) + 1)
            number = index + 2
            if len(record) > len(header):
                extra = RowError(
                    number, "", f"The row has {len(record)} cells but the header has {len(header)}."
                )
                rows.append({"__row__": number, "__errors__": [extra]})
                continue
            cells = {
                name: restore(value) for name, value in zip(header, record, strict=False) if name
            }
            rows.append(_csv_row(number, cells))
    except csv.Error as exc:
        raise FileProblem([RowError(reader.line_num, "", f"The CSV is malformed: {exc}")]) from None
    return rows


def _csv_row(number: int, cells: dict[str, str]) -> dict:
    row: dict = {"__row__": number, "__errors__": []}
    errors = row["__errors__"]
    for name in TEXT_FIELDS:
        if name in cells and not (name in BLANK_MEANS_UNSET and not cells[name].strip()):
            row[name] = cells[name]
    for name in LIST_FIELDS:
        if name in cells:
            row[name] = [v.strip() for v in split_escaped(cells[name], LIST_SEP) if v.strip()]
    if cells.get("customer_derived", "").strip():
        try:
            row["customer_derived"] = parse_bool(cells["customer_derived"])
        except ValueError as exc:
            errors.append(RowError(number, "customer_derived", str(exc)))
    if "authors" in cells:
        row["authors"] = _entries(
            number,
            "authors",
            cells["authors"],
            ("contributor", "role", "credit_share", "kind", "organisation"),
            2,
            errors,
        )
    if "derived_from" in cells:
        row["derived_from"] = _entries(
            number,
            "derived_from",
            cells["derived_from"],
            ("artifact", "relation", "version"),
            2,
            errors,
        )
    if "version" in cells:
        row["versions"] = _csv_versions(number, cells, errors)
    return row


def _entries(number, column, text, names, required, errors) -> list[dict]:
    entries = []
    for position, raw in enumerate(split_escaped(text, LIST_SEP, keep_escapes=True), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in split_escaped(raw, PART_SEP)]
        if len(parts) < required or len(parts) > len(names) or not all(parts[:required]):
            errors.append(
                RowError(
                    number,
                    column,
                    f"Entry {position} '{raw.strip()}' should be {PART_SEP.join(names[:required])}"
                    f"[{PART_SEP}{PART_SEP.join(names[required:])}].",
                )
            )
            continue
        entries.append(
            {k: v for k, v in zip(names, parts, strict=False) if v != "" or k in names[:required]}
        )
    return entries


def _csv_versions(number: int, cells: dict, errors: list) -> list[dict]:
    versions = [v.strip() for v in split_escaped(cells.get("version", ""), LIST_SEP)]
    versions = [v for v in versions if v]
    if len(versions) <= 1:
        # One version: changelog and URI are taken whole, so a ';' in them needs no escaping.
        extra = {k: cells.get(col, "") for k, col in VERSION_COLUMNS.items() if k != "version"}
        if not versions:
            if any(extra.values()):
                errors.append(
                    RowError(number, "version", "A changelog or URI is given without a version.")
                )
            return []
        return [{"version": versions[0], **extra}]
    out = [{"version": v} for v in versions]
    for key in ("changelog", "uri"):
        column = VERSION_COLUMNS[key]
        values = split_escaped(cells.get(column, ""), LIST_SEP) if cells.get(column, "") else []
        if values and len(values) != len(versions):
            errors.append(
                RowError(
                    number,
                    column,
                    f"{len(versions)} versions but {len(values)} values; separate them with '{LIST_SEP}' in the same order.",
                )
            )
            continue
        for entry, value in zip(out, values, strict=False):
            entry[key] = value.strip()
    return out


def read_json(text: str) -> list[dict]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            [
                RowError(
                    exc.lineno,
                    "",
                    f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                )
            ]
        ) from None
    except RecursionError:
        raise FileProblem(
            [RowError(None, "", "The file is not valid JSON: it is nested too deeply.")]
        ) from None
    items = document.get("artifacts") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise FileProblem(
            [
                RowError(
                    None,
                    "",
                    'The JSON must be a list of artifacts or an object with an "artifacts" list.',
                )
            ]
        )
    check_row_count(len(items))
    return [_json_row(number, item) for number, item in enumerate(items, start=1)]


def _json_row(number: int, item) -> dict:
    row: dict = {"__row__": number, "__errors__": []}
    errors = row["__errors__"]
    if not isinstance(item, dict):
        errors.append(RowError(number, "", "Each artifact must be a JSON object."))
        return row
    for key, value in item.items():
        if key in IGNORED_FIELDS:
            continue
        if key not in JSON_FIELDS:
            errors.append(RowError(number, key, f"Unknown field '{key}'."))
        elif key in TEXT_FIELDS:
            if value is not None and not isinstance(value, str):
                errors.append(RowError(number, key, "Must be a string."))
            else:
                row[key] = value or ""
        elif key in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(RowError(number, key, "Must be a list of strings."))
            else:
                row[key] = value
        elif key == "customer_derived":
            try:
                row[key] = parse_bool(value if value is not None else False)
            except ValueError as exc:
                errors.append(RowError(number, key, str(exc)))
        else:
            row[key] = _json_entries(number, key, value, errors)
    return row


_ENTRY_KEYS = {
    "authors": ({"contributor", "role"}, {"credit_share", "kind", "organisation"}),
    "derived_from": ({"artifact", "relation"}, {"version"}),
    "versions": ({"version"}, {"changelog", "uri", "created_at", "published_at"}),
}


def _json_entries(number: int, key: str, value, errors: list) -> list[dict]:
    required, optional = _ENTRY_KEYS[key]
    if not isinstance(value, list):
        errors.append(RowError(number, key, "Must be a list of objects."))
        return []
    entries = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            errors.append(RowError(number, key, f"Entry {position} must be an object."))
            continue
        problems = [f"'{k}' is required" for k in sorted(required) if entry.get(k) in (None, "")]
        problems += [f"unknown key '{k}'" for k in sorted(set(entry) - required - optional)]
        problems += [
            f"'{k}' must be a string"
            for k, v in entry.items()
            if k != "credit_share" and v is not None and not isinstance(v, str)
        ]
        if problems:
            errors.append(RowError(number, key, f"Entry {position}: {'; '.join(problems)}."))
            continue
        entries.append(
            {
                k: v
                for k, v in entry.items()
                if k not in ("created_at", "published_at") and v is not None
            }
        )
    return entries
