"""The reader's fast path (each repeated row parsed once) reads exactly what the full parse
reads, or declines and leaves the part to the full parse. Every case reads a file twice in
each mode, cold and warm, so that a remembered row is checked as well as a fresh one."""

from pathlib import Path

import pytest
from corpus import OFFICE, SHEET_PART, good_sheet, rezip, zip_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processor import constants as C
from processor.inputs.tables import read_case_counts
from processor.xlsx import ReadError, open_workbook
from processor.xlsx import repeated as reader

ROOT = Path(__file__).resolve().parent.parent


def snapshot(data: bytes):
    """What the rest of the program sees of a file, or the error it is refused with."""
    try:
        wb = open_workbook(data, "x.xlsx")
    except ReadError as exc:
        return ("refused", exc.code, exc.params)
    return (
        wb.sheet_names,
        wb.states,
        wb.date1904,
        # the cells in order: a table's reader keeps the first column it finds of a title
        {n: (s.state, s.protected, list(s.cells.items()), sorted(s.merged)) for n, s in wb.sheets.items()},
    )


class Spy:
    """Counts, for each part the fast path reads, how often it answered and how often it declined."""

    def __init__(self, monkeypatch, enabled: bool = True):
        self.taken = {"sheet_cells": 0, "strings": 0}
        self.declined = {"sheet_cells": 0, "strings": 0}
        parts = reader.RepeatedParts()
        monkeypatch.setattr(reader, "PARTS", parts)
        for method in self.taken:
            original = getattr(parts, method)
            monkeypatch.setattr(parts, method, self._wrap(method, original) if enabled else lambda *a: None)

    def _wrap(self, method, original):
        def spied(*args):
            found = original(*args)
            (self.declined if found is None else self.taken)[method] += 1
            return found

        return spied


def both_ways(data: bytes, monkeypatch) -> tuple[object, Spy]:
    """The fast path's reading (asserted equal to the full parse's) and what it did."""
    with monkeypatch.context() as m:
        Spy(m, enabled=False)
        full = snapshot(data)
        assert snapshot(data) == full
    with monkeypatch.context() as m:
        spy = Spy(m)
        assert snapshot(data) == full, "the fast path read something else (cold)"
        assert snapshot(data) == full, "the fast path read something else (warm)"
    return full, spy


REAL_FILES = [
    *sorted((ROOT / "input").glob("*.xlsx")),
    OFFICE / "libreoffice.xlsx",
    OFFICE / "gnumeric.xlsx",
]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_files_take_the_fast_path_and_read_the_same(path, monkeypatch):
    result, spy = both_ways(path.read_bytes(), monkeypatch)
    assert result[0] != "refused"
    assert spy.taken["sheet_cells"] and not any(spy.declined.values())


def edit(change):
    return rezip(good_sheet(remarks={"1.1": "缺少A&B"}, scores={"1.1": 2}), {SHEET_PART: change})


def insert_row(xml: bytes, row: bytes, before: bytes = b'<row r="10"') -> bytes:
    assert before in xml
    return xml.replace(before, row + before, 1)


def at_end(row: bytes):
    return lambda xml: insert_row(xml, row, b"</sheetData>")


# (what the edit does, the edit, whether the fast path may still take it)
EDITS = [
    (
        "entities and character references",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t>&amp;&lt;&#x41;&#66;&quot;</t></is></c></row>'),
        True,
    ),
    (
        "an escaped control character",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t>a_x000D_b</t></is></c></row>'),
        True,
    ),
    (
        "a formula and a string result",
        at_end(b'<row r="60"><c r="A60" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>'),
        True,
    ),
    (
        "rich text runs inline",
        at_end(
            b'<row r="60"><c r="A60" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>'
        ),
        True,
    ),
    (
        "a formula whose result is the empty string",
        at_end(
            b'<row r="60"><c r="A60" t="str"><f>""</f><v></v></c><c r="B60" t="str"><f>""</f><v/></c></row>'
        ),
        True,
    ),
    (
        "an escaped surrogate pair",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t>a_xD840__xDC00_b_xD800_</t></is></c></row>'),
        True,
    ),
    ("an unknown cell type", at_end(b'<row r="60"><c r="A60" t="x"><v>1</v></c></row>'), False),
    (
        "cells without a reference",
        at_end(b'<row r="60"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'),
        True,
    ),
    (
        "pretty-printed rows",
        lambda x: x.replace(b"<row ", b"\n  <row ").replace(b"</row>", b"</row>\n"),
        True,
    ),
    ("a comment between rows", lambda x: insert_row(x, b"<!-- note -->"), False),
    ("a comment after the rows", lambda x: x.replace(b"</worksheet>", b"<!-- note --></worksheet>"), True),
    (
        "a comment before the rows",
        lambda x: x.replace(b"<sheetData>", b"<!-- <sheetData> --><sheetData>"),
        False,
    ),
    (
        "CDATA in a cell",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row>'),
        False,
    ),
    ("a processing instruction", lambda x: insert_row(x, b"<?pi x?>"), False),
    (
        "carriage returns in a text",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t>a\r\nb</t></is></c></row>'),
        False,
    ),
    (
        "a row in another namespace",
        at_end(b'<row xmlns="urn:other" r="60"><c r="A60"><v>1</v></c></row>'),
        False,
    ),
    (
        "a row without a number",
        at_end(b'<row><c r="A60"><v>1</v></c></row>'),
        False,
    ),
    ("text between rows", lambda x: insert_row(x, b"stray"), True),
    ("an empty row", lambda x: insert_row(x, b'<row r="9" spans="1:8"/>'), True),
    ("an empty last row", at_end(b'<row r="99" ht="20"/>'), True),
    (
        "a cell given twice in a row",
        at_end(b'<row r="60"><c r="A60"><v>1</v></c><c r="A60"><v>2</v></c></row>'),
        False,
    ),
    (
        "a cell given again in a later row",
        at_end(b'<row r="60"><c r="C2" t="inlineStr"><is><t>West</t></is></c></row>'),
        True,
    ),
    (
        "a row inside a row",
        at_end(b'<row r="60"><row r="61"/><c r="A60"><v>1</v></c></row>'),
        False,
    ),
    (
        "a merge inside a row",
        at_end(b'<row r="60"><mergeCell ref="A60:B60"/></row>'),
        False,
    ),
    (
        "an undefined entity",
        at_end(b'<row r="60"><c r="A60" t="inlineStr"><is><t>&nbsp;</t></is></c></row>'),
        False,
    ),
    (
        "a broken tag",
        at_end(b'<row r="60"><c r="A60"><v>1</c></row>'),
        False,
    ),
    (
        "a cell beyond the last column",
        at_end(b'<row r="60"><c r="XFE60"><v>1</v></c></row>'),
        False,
    ),
    ("row number zero", at_end(b'<row r="0"><c><v>1</v></c></row>'), False),
    ("a second sheetData", lambda x: x.replace(b"</worksheet>", b"<sheetData/></worksheet>"), False),
    (
        "sheetData with attributes",
        lambda x: x.replace(b"<sheetData>", b'<sheetData xmlns="urn:other">'),
        False,
    ),
    (
        "a prefixed namespace",
        lambda x: x.replace(b"<worksheet ", b'<worksheet xmlns:x="urn:x" ').replace(
            b"<sheetData>", b"<sheetData><x:row/>"
        ),
        None,
    ),
]


@pytest.mark.parametrize("change,fast", [(e[1], e[2]) for e in EDITS], ids=[e[0] for e in EDITS])
def test_edited_rows_read_the_same_either_way(change, fast, monkeypatch):
    _, spy = both_ways(edit(change), monkeypatch)
    if fast is not None:
        assert bool(spy.declined["sheet_cells"]) != fast


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_cells_keep_the_rows_order_when_shared_strings_and_others_mix(monkeypatch):
    """A header row with a shared-string title, then the same title as a formula's text: the
    table reader must take the first one, whichever path read the sheet."""
    sheet = (
        b'<worksheet xmlns="%s"><sheetData>'
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        b'<c r="C1" t="str"><f>A1</f><v>%s</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>7</v></c><c r="C2" t="s"><v>3</v></c></row>'
        b"</sheetData></worksheet>"
    ) % (MAIN, C.COL_UNIT.encode())
    strings = b'<sst xmlns="%s">%s</sst>' % (
        MAIN,
        b"".join(b"<si><t>%s</t></si>" % t.encode() for t in (C.COL_UNIT, C.COL_CASES, "东山镇", "西山镇")),
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    data = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b'<Relationships xmlns="%s/package"><Relationship Id="r1" '
            b'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            % (rel.encode(), rel.encode()),
            "xl/workbook.xml": b'<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="%s" sheetId="1" '
            b'r:id="r1"/></sheets></workbook>' % (MAIN, rel.encode(), C.CASE_COUNTS_SHEET.encode()),
            "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="%s/package">'
            b'<Relationship Id="r1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="r2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>" % (rel.encode(), rel.encode(), rel.encode()),
            "xl/worksheets/sheet1.xml": sheet,
            "xl/sharedStrings.xml": strings,
        }
    )
    both_ways(data, monkeypatch)
    with monkeypatch.context() as m:
        Spy(m)
        counts, _ = read_case_counts(data, C.CASE_COUNTS_FILE)
    assert [c.unit for c in counts] == ["东山镇"]


@pytest.mark.parametrize("encoding", ["us-ascii", "ascii", "utf8", "ISO-8859-1"])
def test_a_part_declared_in_another_encoding_is_left_to_the_full_parse(encoding, monkeypatch):
    sheet = (
        b'<?xml version="1.0" encoding="%s"?><worksheet xmlns="%s"><sheetData>'
        b'<row r="60"><c r="A60" t="inlineStr"><is><t>\xc3\xa9</t></is></c></row></sheetData></worksheet>'
    ) % (encoding.encode(), MAIN)
    result, spy = both_ways(rezip(good_sheet(), {SHEET_PART: sheet}), monkeypatch)
    assert spy.declined["sheet_cells"] or result[0] == "refused"


SHARED = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
    b"<si><t>a &amp; b</t></si><si><r><t>x</t></r><r><t>y</t></r><rPh><t>z</t></rPh></si><si><t/></si>"
    b"</sst>"
)


@pytest.mark.parametrize(
    "strings,fast",
    [
        (SHARED, True),
        (SHARED.replace(b"<si><t/></si>", b"<!-- c --><si><t/></si>"), False),
        (SHARED.replace(b"<si><t/></si>", b"<si><t/></si><!-- c -->"), True),
        (SHARED.replace(b"<si><t/></si>", b"<si><si><t>n</t></si></si>"), False),
        (SHARED.replace(b"<si><t/></si>", b'<si xmlns="urn:x"><t>n</t></si>'), False),
        (
            SHARED.replace(
                b"</sst>",
                b"<x:si xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><x:t>late</x:t></x:si></sst>",
            ),
            False,
        ),
        (SHARED.replace(b"<si><t/></si>", b"<si><t>unclosed</si>"), False),
    ],
    ids=["plain", "comment", "comment after", "nested", "namespace", "prefixed", "broken"],
)
def test_shared_strings_read_the_same_either_way(strings, fast, monkeypatch):
    office = (OFFICE / "libreoffice.xlsx").read_bytes()
    _, spy = both_ways(rezip(office, {"xl/sharedStrings.xml": strings}), monkeypatch)
    assert bool(spy.declined["strings"]) != fast


# what openpyxl can write: no lone surrogates, no control characters but tab and line ends
CONTROL = [chr(i) for i in range(32) if chr(i) not in "\t\n\r"]
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROL), max_size=30
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(remark=TEXT, other=TEXT)
def test_any_remark_reads_the_same_either_way(remark, other, monkeypatch):
    data = good_sheet(remarks={"1.1": remark, "2.1": other}, scores={"1.1": 2, "2.1": 1})
    both_ways(data, monkeypatch)


@pytest.mark.parametrize("index", ["-1", "\u0661", "\uff11", "1.0", "99999", " 2 "])
def test_an_odd_shared_string_index_is_judged_alike_either_way(index, monkeypatch):
    import re

    def change(xml: bytes) -> bytes:
        return re.sub(rb'(t="s"[^>]*><v>)\d+(</v>)', rb"\g<1>" + index.encode() + rb"\g<2>", xml, count=1)

    office = (OFFICE / "libreoffice.xlsx").read_bytes()
    result, _ = both_ways(rezip(office, {SHEET_PART: change}), monkeypatch)
    assert (result[0] == "refused") == (index.strip() != "2")
