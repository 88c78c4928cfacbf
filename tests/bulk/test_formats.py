"""Reading files: encodings, delimiters, columns, cells (no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.bulk.formats import (
    FORMULA_STARTS,
    FileProblem,
    join_escaped,
    neutralise,
    parse,
    restore,
    split_escaped,
)


def test_utf8_with_and_without_bom_read_the_same(read_file):
    with_bom = parse(read_file("utf8_bom.csv"), filename="a.csv").rows
    plain = parse(read_file("utf8_bom.csv")[3:], filename="a.csv").rows
    assert with_bom == plain
    assert with_bom[0]["title"] == "Café crème"


def test_windows_1252_is_refused_with_offset_and_line(read_file):
    with pytest.raises(FileProblem) as caught:
        parse(read_file("windows1252.csv"), filename="a.csv")
    message = str(caught.value.errors[0])
    data = read_file("windows1252.csv")
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in message
    assert "line 2" in message and "0xe9" in message and "UTF-8" in message
    assert "Windows-1252" in message
    assert caught.value.errors[0].row == 2


def test_utf16_is_refused_naming_the_encoding(read_file):
    with pytest.raises(FileProblem) as caught:
        parse(read_file("utf16.csv"), filename="a.csv")
    assert "UTF-16" in caught.value.errors[0].message


def test_utf16_without_bom_is_recognised():
    data = "slug,title\n".encode("utf-16-le")
    with pytest.raises(FileProblem) as caught:
        parse(data, filename="a.csv")
    assert (
        "UTF-16" in caught.value.errors[0].message
        and "byte offset 1" in caught.value.errors[0].message
    )


def test_semicolon_delimited_csv_and_escaped_separators(read_file):
    row = parse(read_file("semicolons.csv"), filename="a.csv").rows[0]
    assert row["title"] == "Café crème"
    assert row["tags"] == ["a;b", "c"]


def test_missing_and_unknown_columns_are_all_reported(read_file):
    with pytest.raises(FileProblem) as caught:
        parse(read_file("missing_columns.csv"), filename="a.csv")
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(1, "title"), (1, "owner_team"), (1, "name")}


def test_oversized_file_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(FileProblem) as caught:
        parse(b"slug,title,kind,owner_team\n", filename="a.csv")
    assert "limit is 10 bytes" in caught.value.errors[0].message


def test_invalid_json_names_line_and_column():
    with pytest.raises(FileProblem) as caught:
        parse(b'[\n  {"slug": "x",}\n]', filename="a.json")
    assert caught.value.errors[0].row == 2
    assert "line 2" in caught.value.errors[0].message


def test_json_shapes_are_checked_per_row():
    rows = parse(
        b'[{"slug": "a", "tags": "not-a-list", "colour": "red", "authors": [{"role": "originator"}]}]',
        filename="a.json",
    ).rows
    columns = sorted(e.column for e in rows[0]["__errors__"])
    assert columns == ["authors", "colour", "tags"]


def test_csv_rows_with_too_many_cells_are_reported():
    rows = parse(b"slug,title,kind,owner_team\na,b,content,retail,extra\n", filename="a.csv").rows
    assert rows[0]["__errors__"][0].row == 2


@pytest.mark.parametrize(
    "payload",
    ["=1+1", "+cmd|' /C calc'!A0", "-A1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y"],
)
def test_formula_cells_are_neutralised_and_restored(payload):
    cell = neutralise(payload)
    assert cell.startswith("'")
    assert restore(cell) == payload


@pytest.mark.parametrize("number", ["-12", "-0.5", "+3", "1e-3", "0.333"])
def test_numbers_stay_numbers(number):
    assert neutralise(number) == number
    assert restore(number) == number


@given(st.text())
def test_neutralise_round_trips_any_text(value):
    cell = neutralise(value)
    assert restore(cell) == value
    assert cell[:1] not in FORMULA_STARTS or cell == value  # only numbers may start with - or +


@given(st.lists(st.text(), min_size=1))
def test_escaped_lists_round_trip(items):
    joined = join_escaped(items, "|")
    assert split_escaped(joined, "|") == items
