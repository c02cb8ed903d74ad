"""Real files of others: read what Excel reads (an empty-string formula result, part names in
another case or with backslashes, elapsed-time formats, escaped surrogate pairs), and refuse
as damaged what readers would disagree on (duplicate members or sheets, a missing relationships
part, an odd sheet state, a shared-string index that is not plain digits, an unknown cell type)."""

import re

import pytest
from corpus import OFFICE, SHEET_PART, good_sheet, members, rezip, zip_of
from helpers import codes

from processor.cli import main
from processor.inputs.sheet import read_score_sheet
from processor.xlsx import ReadError, open_workbook

WORKBOOK, RELS, STYLES = "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"
STRINGS = "xl/sharedStrings.xml"
LIBREOFFICE = (OFFICE / "libreoffice.xlsx").read_bytes()


def checked(tmp_path, data: bytes, capsys, name: str = "表.xlsx") -> tuple[int, str]:
    """``processor check`` of the file: its exit code and what it printed (never a traceback)."""
    path = tmp_path / name
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["check", str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out


def read(data: bytes, rubric):
    return read_score_sheet(data, "表.xlsx", rubric)


def cells(data: bytes):
    wb = open_workbook(data, "x.xlsx")
    return {name: dict(sheet.cells) for name, sheet in wb.sheets.items()}


def cell_xml(xml: bytes, ref: str, new: bytes) -> bytes:
    """The sheet with the cell ``ref`` written as ``new``."""
    found = re.search(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % ref.encode(), xml)
    assert found, ref
    return xml[: found.start()] + new + xml[found.end() :]


# ---- read what Excel reads -------------------------------------------------------------------


@pytest.mark.parametrize("empty", [b"<v></v>", b"<v/>"])
def test_a_formula_whose_result_is_the_empty_string_is_a_value(empty, rubric, tmp_path, capsys):
    written = b'<c r="C3" t="str"><f>""</f>' + empty + b"</c>"  # 评定人员 left empty by a formula
    data = rezip(good_sheet(), {SHEET_PART: lambda x: cell_xml(x, "C3", written)})
    assert cells(data)["评分表"][(3, 3)].kind == "s"
    _, problems = read(data, rubric)
    assert codes(problems) == ["INSPECTORS_MISSING"]  # empty, not "never calculated"
    assert checked(tmp_path, data, capsys)[0] == 0


def rename(data: bytes, renames: dict[str, str]) -> bytes:
    parts = members(data)
    return zip_of({renames.get(name, name): content for name, content in parts.items()})


PART_NAMES = {
    "a backslash": (good_sheet(), {WORKBOOK: "xl\\workbook.xml"}),
    "backslashes in a sheet": (good_sheet(), {SHEET_PART: "xl\\worksheets\\sheet1.xml"}),
    "content types in lower case": (good_sheet(), {"[Content_Types].xml": "[content_types].xml"}),
    "shared strings in another case": (LIBREOFFICE, {STRINGS: "xl/SharedStrings.xml"}),
    "a sheet in upper case": (good_sheet(), {SHEET_PART: "XL/Worksheets/Sheet1.xml"}),
    "the relationships in another case": (good_sheet(), {RELS: "xl/_RELS/Workbook.xml.rels"}),
}


@pytest.mark.parametrize("case", sorted(PART_NAMES))
def test_part_names_are_matched_without_case_and_with_backslashes(case, rubric, tmp_path, capsys):
    original, renames = PART_NAMES[case]
    data = rename(original, renames)
    assert cells(data) == cells(original)
    sheet, problems = read(data, rubric)
    assert problems == [] and sheet.complete
    assert checked(tmp_path, data, capsys)[0] == 0


ELAPSED = ["[h]", "[hh]", "[H]", "[mm]", "[M]", "[s]", "[ss]", "[SS]", "[h]:mm", "[mm]:ss.00"]
NOT_TIMES = ["[Red]0.0", "[$-804]0.0", "[>=1]0.0;0", '0.0" [h]"', "[DBNum1]0", "0.0\\h"]


def score_formatted(code: str) -> bytes:
    """A sheet whose 1.1 score cell (G5) is shown in the number format ``code``."""
    parts = members(good_sheet())
    styles = parts[STYLES].decode()
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    index = len(re.findall(r"<xf\b", xfs.group(1)))
    escaped = code.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    styles = re.sub(
        r"(<styleSheet[^>]*>)",
        r'\1<numFmts count="1"><numFmt numFmtId="200" formatCode="{}"/></numFmts>'.format(
            escaped.replace("\\", "\\\\")
        ),
        styles,
        count=1,
    )
    styles = styles.replace(
        "</cellXfs>",
        '<xf numFmtId="200" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs>',
    )
    parts[STYLES] = styles.encode()
    parts[SHEET_PART] = re.sub(rb'<c r="G5" s="\d+"', b'<c r="G5" s="%d"' % index, parts[SHEET_PART])
    return zip_of(parts)


@pytest.mark.parametrize("code", ELAPSED)
def test_elapsed_time_formats_are_times(code, rubric, tmp_path, capsys):
    data = score_formatted(code)
    _, problems = read(data, rubric)
    assert codes(problems) == ["SCORE_DATE"] and problems[0].cell == "G5"
    assert checked(tmp_path, data, capsys)[0] == 1


@pytest.mark.parametrize("code", NOT_TIMES)
def test_formats_with_brackets_or_quoted_letters_are_not_times(code, rubric):
    _, problems = read(score_formatted(code), rubric)
    assert problems == []


SURROGATES = {
    "a pair": ("东山镇_xD840__xDC00_", "东山镇\U00020000"),
    "a pair in lower case": ("东山_xd83d__xde00_镇", "东山\U0001f600镇"),
    "two pairs": ("_xD83D__xDE00__xD83D__xDE01_", "\U0001f600\U0001f601"),
    "a lone high surrogate": ("东山镇_xD840_", "东山镇\ufffd"),
    "a lone low surrogate": ("_xDC00_东山镇", "\ufffd东山镇"),
    "low before high": ("_xDC00__xD840_", "\ufffd\ufffd"),
    "an escaped escape": ("_x005F_xD840__xDC00_", "_xD840_\ufffd"),
}


@pytest.mark.parametrize("case", sorted(SURROGATES))
def test_escaped_surrogate_pairs_become_one_character(case, rubric, tmp_path, capsys):
    written, expected = SURROGATES[case]
    township = b'<c r="C2" t="inlineStr"><is><t>%s</t></is></c>' % written.encode()
    data = rezip(good_sheet(), {SHEET_PART: lambda x: cell_xml(x, "C2", township)})
    sheet, _ = read(data, rubric)
    assert sheet.township == expected
    checked(tmp_path, data, capsys)


# ---- refuse what readers would disagree on -----------------------------------------------------


def duplicate_member(name: str, other: str | None = None) -> bytes:
    import io
    import warnings
    import zipfile

    parts = members(good_sheet())
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": what the hostile file is
        for part, content in parts.items():
            zf.writestr(part, content)
        zf.writestr(other or name, parts[name].replace(b"\xe4\xb8\x9c\xe5\xb1\xb1", "西河".encode()))
    return buffer.getvalue()


def sheet_state(state: str) -> bytes:
    return rezip(
        good_sheet(), {WORKBOOK: lambda x: x.replace(b'state="visible"', b'state="%s"' % state.encode(), 1)}
    )


def shared_index(index: str) -> bytes:
    def change(xml: bytes) -> bytes:
        return re.sub(rb'(t="s"[^>]*><v>)\d+(</v>)', rb"\g<1>" + index.encode() + rb"\g<2>", xml, count=1)

    return rezip(LIBREOFFICE, {SHEET_PART: change})


def cell_type(kind: str) -> bytes:
    def change(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="C2"[^>]*?) t="inlineStr"', rb'\1 t="' + kind.encode() + b'"', xml, count=1)

    return rezip(good_sheet(), {SHEET_PART: change})


DAMAGED = {
    "a member twice": (lambda: duplicate_member(SHEET_PART), "sheet1.xml"),
    "a member twice in another case": (
        lambda: duplicate_member(SHEET_PART, "XL/worksheets/SHEET1.xml"),
        "SHEET1",
    ),
    "the workbook twice with a backslash": (
        lambda: duplicate_member(WORKBOOK, "xl\\workbook.xml"),
        "workbook.xml",
    ),
    "no workbook relationships": (lambda: rezip(good_sheet(), {RELS: None}), "workbook.xml.rels"),
    "a sheet without its relationship": (
        lambda: rezip(good_sheet(), {RELS: lambda x: x.replace(b'Id="rId1"', b'Id="rId9"')}),
        "评分表",
    ),
    "two sheets of one name": (
        lambda: rezip(
            good_sheet(), {WORKBOOK: lambda x: x.replace(b'name="_rubric"', 'name="评分表"'.encode())}
        ),
        "评分表",
    ),
    "two sheets differing in case": (
        lambda: rezip(
            good_sheet(),
            {
                WORKBOOK: lambda x: x.replace(b'name="_rubric"', b'name="Sheet"').replace(
                    'name="评分表"'.encode(), b'name="SHEET"'
                )
            },
        ),
        "Sheet",
    ),
    "state Visible": (lambda: sheet_state("Visible"), "Visible"),
    "state bogus": (lambda: sheet_state("bogus"), "bogus"),
    "state empty": (lambda: sheet_state(""), "评分表"),
    "state veryhidden": (lambda: sheet_state("veryhidden"), "veryhidden"),
    "index negative": (lambda: shared_index("-1"), "-1"),
    "index arabic-indic": (lambda: shared_index("\u0661"), "\u0661"),
    "index full-width": (lambda: shared_index("\uff11"), "\uff11"),
    "index decimal": (lambda: shared_index("1.0"), "1.0"),
    "index beyond the strings": (lambda: shared_index("99999"), "99999"),
    "index with a plus": (lambda: shared_index("+1"), "+1"),
    "index empty": (lambda: shared_index(""), "“”"),
    "type x": (lambda: cell_type("x"), "“x”"),
    "type in lower case": (lambda: cell_type("inlinestr"), "inlinestr"),
    "type empty": (lambda: cell_type(""), "“”"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_what_readers_would_disagree_on_is_refused_naming_it(case, rubric, tmp_path, capsys):
    make, named = DAMAGED[case]
    data = make()
    with pytest.raises(ReadError) as refused:
        open_workbook(data, "x.xlsx")
    assert refused.value.code.name == "FILE_CORRUPT"
    _, problems = read(data, rubric)
    assert codes(problems) == ["FILE_CORRUPT"] and named in problems[0].message
    code, shown = checked(tmp_path, data, capsys)
    assert code == 1 and "表.xlsx" in shown and named in shown


def test_an_index_with_xml_whitespace_is_still_an_index():
    data = shared_index(" 3 ")
    assert cells(data) == cells(shared_index("3"))


# ---- parts shared by the sheets of one template ----------------------------------------------


def by_hand(
    change: str = "", crc_flip: int = 0, size_change: int = 0, stored: bool = False, data: bytes | None = None
) -> bytes:
    """The good sheet zipped by hand, each member deflated the same way every time (so that two
    files share their compressed parts), the member ``change`` declared with another CRC, size
    or compression method."""
    from corpus import deflated, raw_zip

    entries = []
    for name, part in members(data or good_sheet()).items():
        raw, size, crc = deflated(part)
        if name == change:
            size, crc = size + size_change, crc ^ crc_flip
        entries.append((name, raw, size, crc))
    return raw_zip(entries, stored=frozenset([change] if stored else []))


@pytest.mark.parametrize(
    "flip, grow, stored", [(0xFFFF, 0, False), (0, 1, False), (0, -1, False), (0, 0, True)]
)
def test_a_shared_part_declared_otherwise_is_refused_though_its_bytes_were_read_before(flip, grow, stored):
    """The same compressed bytes as a part already read and checked, but another CRC, size or
    compression method in the directory: damaged, as for any reader that inflates it."""
    base = good_sheet()
    good = by_hand(data=base)
    assert cells(good) == cells(base)  # the workbook part is read, inflated and remembered
    for name in (WORKBOOK, STYLES, RELS):
        with pytest.raises(ReadError) as refused:
            open_workbook(by_hand(name, flip, grow, stored, data=base), "x.xlsx")
        assert refused.value.code.name == "FILE_CORRUPT" and name in str(refused.value.params)
    assert cells(good) == cells(base)  # and the good one still reads from what was remembered


def test_the_parts_a_template_shares_are_inflated_once(monkeypatch):
    """What the cache is for: a second file with the same small parts inflates only its own."""
    from processor.xlsx import gate

    base = good_sheet()
    inflated = []
    real = gate._inflated
    monkeypatch.setattr(
        gate, "_inflated", lambda compressed, info: inflated.append(info.filename) or real(compressed, info)
    )
    open_workbook(by_hand(data=base), "x.xlsx")
    inflated.clear()
    other = good_sheet("西河镇")  # another township: its score sheet differs, nothing else
    open_workbook(by_hand(data=other), "y.xlsx")
    assert SHEET_PART in inflated and not {WORKBOOK, STYLES, RELS} & set(inflated)


def test_a_shared_part_refused_once_is_refused_every_time():
    """A part that failed the XML check (a DTD) is not remembered as checked."""
    dtd = b'<!DOCTYPE x [<!ENTITY a "b">]>'
    doctype = rezip(good_sheet(), {STYLES: lambda xml: dtd + xml if not xml.startswith(b"<?") else xml})
    assert dtd in members(doctype)[STYLES]
    for _ in range(2):
        with pytest.raises(ReadError) as refused:
            open_workbook(doctype, "x.xlsx")
        assert refused.value.code.name == "FILE_UNSAFE"
