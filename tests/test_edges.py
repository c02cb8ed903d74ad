"""Values and names at the edges: -0 is 0, a text too long for a cell is said, a criticism after
the publication date is refused, a formula never calculated is named, every file name we write
fits 255 bytes and no Windows device name, invisible characters are named."""

import csv
import datetime as dt
import math
import re

import openpyxl
import pytest
from corpus import SHEET_PART, rezip
from helpers import codes, write_table

from processor import constants as C
from processor.cli import main
from processor.outputs.filenames import MAX_NAME_BYTES, file_names, is_reserved

R = C.RESULTS_DIR


def report(out) -> list[tuple[str, str, str]]:
    """(code, file, cell) of every row of the run's problem list."""
    rows = openpyxl.load_workbook(out / C.VALIDATION_REPORT_FILE)[C.OUT_PROBLEMS].iter_rows(
        min_row=2, values_only=True
    )
    return [(row[-1], row[1], row[3]) for row in rows if row[-1]]


def ran(folder, out, capsys, expected: int) -> str:
    capsys.readouterr()
    assert (
        main(["run", "--no-pdf", "--no-register", "--input", str(folder), "--output", str(out)]) == expected
    )
    shown = capsys.readouterr()
    assert "Traceback" not in shown.err
    return shown.out


# ---- -0 is 0 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zero", ["-0", "-0.0", "-0.00", "－０", -0.0, "-0E+3"])
def test_negative_zero_is_zero_everywhere(zero, make_round, tmp_path, capsys, monkeypatch):
    # A score is a number (a text is never one, forms.checks); a case count may be typed as text
    folder = make_round(
        {"东山镇": {"1.1": -0.0, "5.7": -0.0}, "西河镇": {}},
        remarks={"东山镇": {"1.1": "未设置填单区"}},
        counts={"东山镇": 10, "西河镇": zero},
    )
    out = tmp_path / "out"
    ran(folder, out, capsys, 0)
    page = (out / R / C.FEEDBACK_DIR / "东山镇.html").read_text(encoding="utf-8")
    assert "-0" not in page
    wb = openpyxl.load_workbook(out / R / C.CONSOLIDATED_FILE)
    for ws in wb.worksheets:
        if ws.title == C.OUT_PROBLEMS:
            continue  # it quotes the cell as typed ("-0.00" typed as text), beside the score read
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, float) and v == 0 and math.copysign(1, v) < 0 for v in row)
            assert not any(isinstance(v, str) and re.fullmatch(r"-0(\.0+)?", v) for v in row)
    monkeypatch.setattr(C, "LARGE_ROUND", 1)  # the CSVs of a large round
    large = tmp_path / "large"
    ran(folder, large, capsys, 0)
    for name in (C.ITEM_SCORES_CSV, C.DEDUCTIONS_CSV):
        with open(large / R / name, encoding="utf-8-sig") as handle:
            assert not any(re.fullmatch(r"'?-0(\.0+)?", v) for row in csv.reader(handle) for v in row)


# ---- a text longer than a cell holds -----------------------------------------------------------

LONG = "很长的说明" * 7000  # 35,000 characters


def lengthened(path, placeholder: str) -> None:
    """The file with ``placeholder`` written as LONG (openpyxl itself cuts a text at 32,767)."""
    path.write_bytes(
        rezip(path.read_bytes(), {SHEET_PART: lambda xml: xml.replace(placeholder.encode(), LONG.encode())})
    )


@pytest.mark.parametrize("where", ["remark", "opinion", "inspectors", "reason", "township"])
def test_a_text_too_long_for_a_cell_is_a_warning_naming_it(where, make_round, make_sheet, tmp_path, capsys):
    from helpers import write_criticisms

    folder = make_round({"东山镇": {"1.1": 2}, "西河镇": {}}, remarks={"东山镇": {"1.1": "缺"}})
    mark = "PLACEHOLDER"
    if where == "reason":
        write_criticisms(folder, [["西河镇", dt.date(2022, 5, 1), "媒体曝光", mark, None]])
        lengthened(folder / C.CRITICISMS_FILE, mark)
    else:
        kwargs = {
            "remark": {"remarks": {"1.1": mark}},
            "opinion": {"opinion": mark, "remarks": {"1.1": "缺"}},
            "inspectors": {"inspectors": mark, "remarks": {"1.1": "缺"}},
            "township": {"remarks": {"1.1": "缺"}},
        }[where]
        township = mark if where == "township" else "东山镇"
        make_sheet(township, scores={"1.1": 2}, folder=folder, name="000.xlsx", **kwargs)
        lengthened(folder / "000.xlsx", mark)
        if where == "township":
            from helpers import write_case_counts

            write_case_counts(folder, {mark: 10, "西河镇": 5})
            lengthened(folder / C.CASE_COUNTS_FILE, mark)
    out = tmp_path / "out"
    ran(folder, out, capsys, 0)
    found = [(file, cell) for code, file, cell in report(out) if code == "TEXT_TOO_LONG"]
    assert found and all(cell for _, cell in found), found
    if where == "remark":
        page = (out / R / C.FEEDBACK_DIR / "东山镇.html").read_text(encoding="utf-8")
        assert LONG in page  # the page keeps it whole


def test_a_long_value_in_a_message_is_cut_saying_so(make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {"1.1": "两" * 20_000}})
    out = tmp_path / "out"
    shown = ran(folder, out, capsys, 1)
    assert "共20000个字符" in shown and len(shown) < 5000


# ---- a criticism dated after the publication -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2022, 9, 1), 1), (dt.date(2030, 1, 1), 1), (dt.date(2022, 8, 31), 0), ("2022-12-01", 1)],
)
def test_a_criticism_after_the_publication_date_is_an_error(day, expected, make_round, tmp_path, capsys):
    folder = make_round(
        {"东山镇": {}, "西河镇": {}}, criticisms=[["东山镇", day, "媒体曝光", "排队过长", None]]
    )
    out = tmp_path / "out"
    ran(folder, out, capsys, expected)
    found = [(code, cell) for code, _, cell in report(out) if code == "CRITICISM_AFTER_PUBLICATION"]
    assert found == ([("CRITICISM_AFTER_PUBLICATION", "B2")] if expected else [])


def test_the_publication_date_is_the_rounds_own(make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {}}, criticisms=[["东山镇", dt.date(2022, 10, 1), "媒体曝光", "x", None]])
    (folder / C.SETTINGS_FILE).write_text("[round]\npublication_date = 2022-12-31\n", encoding="utf-8")
    ran(folder, tmp_path / "out", capsys, 0)


# ---- a formula with no calculated value --------------------------------------------------------


def test_a_township_formula_never_calculated_says_so(make_round, make_sheet, tmp_path, capsys):
    folder = make_round({"东山镇": {}, "西河镇": {}})
    make_sheet("=B9", folder=folder, name="000.xlsx")  # openpyxl writes the formula, no result
    out = tmp_path / "out"
    shown = ran(folder, out, capsys, 1)
    assert ("CELL_NOT_CALCULATED", "000.xlsx", "C2") in report(out)
    assert "=B9" in shown and "TOWNSHIP_MISSING" not in str(report(out))


@pytest.mark.parametrize(
    "row",
    [
        ["=A1", dt.date(2022, 5, 1), "媒体曝光", "排队", None],  # 乡镇
        ["东山镇", "=TODAY()", "媒体曝光", "排队", None],  # 日期
        ["东山镇", dt.date(2022, 5, 1), "=A1", "排队", None],  # 来源
        ["东山镇", dt.date(2022, 5, 1), "媒体曝光", "=A1", None],  # 事由
        ["=A1", "=B1", "=C1", "=D1", None],  # a row of nothing but formulas is no blank row
    ],
)
def test_a_criticism_cell_never_calculated_says_so(row, make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {}, "西河镇": {}}, criticisms=[row])
    out = tmp_path / "out"
    ran(folder, out, capsys, 1)
    found = {code for code, file, _ in report(out) if file == C.CRITICISMS_FILE}
    assert found == {"CELL_NOT_CALCULATED"}, report(out)


@pytest.mark.parametrize("counts", [{"东山镇": 10, "=A1": 5}, {"东山镇": "=5+5"}])
def test_a_case_count_cell_never_calculated_says_so(counts, make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {}}, counts=counts)
    out = tmp_path / "out"
    ran(folder, out, capsys, 1)
    assert "CELL_NOT_CALCULATED" in {code for code, file, _ in report(out) if file == C.CASE_COUNTS_FILE}


# ---- file names: 255 bytes, no device names ---------------------------------------------------

HOSTILE_NAMES = [
    "CON", "con", "Con", "PRN", "AUX", "NUL", "nul.txt", "NUL .txt", "COM0", "COM1", "com9", "LPT1", "lpt9",
    "COM¹", "COM²", "COM³", "LPT¹", "lpt³", "CONIN$", "CONOUT$", "aux ", "CON.", ".CON",
    "𠀀" * 100,  # 400 bytes of 4-byte characters
    "东" * 100,  # 300 bytes
    "东" * 84 + "😀" * 3,
    "a" * 300,
    "镇\u202egnp.exe",  # a direction override that would disguise the extension
    "东山\u200b镇",
    "..",
    "...东山镇...",
    " 东山镇 ",
]  # fmt: skip


def test_every_file_name_fits_255_bytes_and_no_device_name(tmp_path):
    for suffix in (".html", "评分表.xlsx"):
        names = file_names(HOSTILE_NAMES, suffix)
        assert len({n.casefold() for n in names.values()}) == len(HOSTILE_NAMES)
        for township, name in names.items():
            assert len(name.encode("utf-8")) <= MAX_NAME_BYTES, township
            assert not is_reserved(name), (township, name)
            assert name.endswith(suffix) and not name.startswith(".") and "/" not in name
            assert not any(ch in name for ch in "\u202e\u200b")
            (tmp_path / name).write_text("x", encoding="utf-8")  # this file system takes it
        # even the numbered copies of names that clean up alike
        many = file_names(["𠀀" * 100] * 12, suffix)
        assert all(len(n.encode("utf-8")) <= MAX_NAME_BYTES for n in many.values())


@pytest.mark.parametrize("name", ["COM¹", "LPT³", "con", "NUL.txt", "𠀀" * 100, "东" * 100])
def test_feedback_pages_of_hostile_names_are_written(name, make_round, tmp_path, capsys):
    folder = make_round({name: {}, "西河镇": {}})
    out = tmp_path / "out"
    ran(folder, out, capsys, 0)
    pages = [p.name for p in (out / R / C.FEEDBACK_DIR).iterdir()]
    assert len(pages) == 2
    assert all(len(p.encode("utf-8")) <= MAX_NAME_BYTES and not is_reserved(p) for p in pages)


def roster_with(tmp_path, names: list[str]):
    """A roster whose names are written into the sheet as given (control characters through the
    file's own _xHHHH_ escapes, which openpyxl will not write)."""
    placeholders = [f"PLACEHOLDER{n}" for n in range(len(names))]
    path = write_table(
        tmp_path / "名单.xlsx", C.CASE_COUNTS_TEMPLATE, C.CASE_COUNTS_SHEET, [[p, 1] for p in placeholders]
    )

    def put(xml: bytes) -> bytes:
        for placeholder, name in zip(placeholders, names, strict=True):
            escaped = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 else ch for ch in name)
            xml = xml.replace(placeholder.encode(), escaped.encode())
        return xml

    path.write_bytes(rezip(path.read_bytes(), {SHEET_PART: put}))
    return path


@pytest.mark.parametrize(
    ("name", "char"),
    [
        ("东山\x07镇", "U+0007"),
        ("东山\t镇", "U+0009"),
        ("南岭\n乡", "U+000A"),
        ("西河\u200b镇", "U+200B"),
        ("\u202e北坪镇", "U+202E"),
    ],
)
def test_a_roster_name_with_control_characters_is_an_error_in_issue(name, char, tmp_path, capsys):
    roster = roster_with(tmp_path, ["青石镇", name])
    issued = tmp_path / "issued"
    capsys.readouterr()
    assert main(["issue", str(roster), "--output", str(issued)]) == 1
    shown = capsys.readouterr().out
    assert char in shown and "A3" in shown
    assert not issued.exists() or not any(issued.iterdir())


def test_issue_writes_hostile_names_within_the_limits(tmp_path, capsys):
    names = ["COM¹", "con", "𠀀" * 100, "东" * 100, "NUL.txt"]
    roster = roster_with(tmp_path, names)
    issued = tmp_path / "issued"
    assert main(["issue", str(roster), "--output", str(issued)]) == 0
    written = [p.name for p in issued.iterdir() if not p.name.startswith(".")]
    assert len(written) == len(names)
    assert all(len(p.encode("utf-8")) <= MAX_NAME_BYTES and not is_reserved(p) for p in written)


# ---- invisible characters in a score ----------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "char"),
    [
        ("2\u200b", "U+200B"),
        ("\u200b2", "U+200B"),
        ("2\ufeff", "U+FEFF"),
        ("2\u00ad", "U+00AD"),
        ("2\u2060", "U+2060"),
        ("2\u200e.5", "U+200E"),
    ],
)
def test_invisible_characters_in_a_score_are_named(score, char, make_sheet, capsys):
    path = make_sheet("东山镇", scores={"1.1": score}, remarks={"1.1": "x"})
    capsys.readouterr()
    assert main(["check", str(path)]) == 1
    shown = capsys.readouterr().out
    assert char in shown and "G5" in shown and "SCORE" not in shown
    from conftest import RUBRIC

    from processor.inputs.sheet import read_score_sheet

    _, problems = read_score_sheet(path.read_bytes(), path.name, RUBRIC)
    assert codes(problems) == ["SCORE_INVISIBLE"] and f"[{char}]" in problems[0].message
