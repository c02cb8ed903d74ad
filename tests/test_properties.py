"""Property: whatever an inspector (or a program) writes into the score cells, reading never
crashes, and every score cell ends either as a valid score or as an error at exactly that cell."""

import datetime as dt
import tempfile
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from processor import constants as C
from processor.inputs.sheet import read_score_sheet
from processor.inputs.values import excel_precision
from processor.rules.rubric import load_rubric
from processor.testing import column_of, fill_sheet, item_rows, label_value_cell

RUBRIC = load_rubric()
ENTERED = [item for item in RUBRIC.items if item.entered]

values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.text(alphabet=" \t\u3000\u00a0\u200b\n", max_size=4),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),  # nan and inf included: written as text, which is how they reach a sheet
    st.floats(min_value=0, max_value=10).map(lambda x: round(x, 1)),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.from_regex(r"=[A-Z0-9+*/().-]{0,10}", fullmatch=True),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(
        ["２．５", "2,5", " 3 ", "1e-999999999", "1e999999999", "#DIV/0!", "nan", "-0", "0.1", "TRUE"]
    ),
)


def _writable(value):
    """openpyxl cannot write NaN, infinity or control characters; write what a file would hold."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def _as_number(value) -> Decimal | None:
    """The number a value stands for, loosely (full-width, comma, spaces); None if it is none."""
    if isinstance(value, bool) or value is None or isinstance(value, dt.date):
        return None
    if isinstance(value, int | float):
        return excel_precision(Decimal(repr(value)))
    text = unicodedata.normalize("NFKC", value).strip().replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=len(ENTERED), max_size=len(ENTERED)))
def test_any_value_in_any_score_cell_is_a_score_or_an_error_at_that_cell(drawn):
    written = {item.code: _writable(v) for item, v in zip(ENTERED, drawn, strict=True)}

    def fill(wb):  # after fill_sheet's own filling, so every value lands as drawn
        ws = wb[C.SCORE_SHEET]
        rows, col = item_rows(ws), column_of(ws, C.COL_SCORE)
        for code, value in written.items():
            ws.cell(rows[code], col).value = value

    with tempfile.TemporaryDirectory() as folder:
        path = fill_sheet(
            Path(folder) / "p.xlsx", RUBRIC, remarks={i.code: "说明" for i in ENTERED}, edit=fill
        )
        sheet, problems = read_score_sheet(path.read_bytes(), path.name, RUBRIC)

    assert sheet is not None
    errors_at = {(p.cell, p.item) for p in problems if p.is_error}
    for item in ENTERED:
        cell = sheet.cells[item.code]
        score = sheet.scores.get(item.code)
        if score is None:
            assert (cell, item.code) in errors_at, (item.code, written[item.code])
            continue
        assert (cell, item.code) not in errors_at
        assert 0 <= score <= item.maximum and score == score.quantize(RUBRIC.resolution)
        if item.kind == "award":
            assert score in (0, item.maximum)
        # never a silent 0: a score is the number that was written
        assert _as_number(written[item.code]) == score, (item.code, written[item.code])


GOOD = None


def _good_sheet() -> bytes:
    global GOOD
    if GOOD is None:
        import corpus

        GOOD = corpus.good_sheet()
    return GOOD


@settings(max_examples=100, deadline=None)
@given(
    part=st.sampled_from(
        ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"]
    ),
    where=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=40),
    insert=st.one_of(
        st.binary(max_size=12),
        st.sampled_from(
            [b'r="\xc2\xb2"', b's="\xc2\xb2"', b'r="' + b"9" * 5000 + b'"', b"_xD800_", b"<c>", b"</row>"]
        ),
    ),
)
def test_any_damage_to_any_parsed_part_is_a_problem_never_a_crash(part, where, cut, insert):
    """Bytes cut from and inserted into the XML the reader parses: a problem or a sheet, never
    an exception."""
    import corpus

    def damage(xml: bytes) -> bytes:
        at = int(where * len(xml))
        return xml[:at] + insert + xml[at + cut :]

    data = corpus.rezip(_good_sheet(), {part: damage})
    sheet, problems = read_score_sheet(data, "d.xlsx", RUBRIC)
    assert sheet is not None or any(p.is_error for p in problems)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=st.lists(values, min_size=len(ENTERED), max_size=len(ENTERED)),
    township=st.text(min_size=1, max_size=8),
    remark=st.text(max_size=20),
    clean=st.booleans(),
)
def test_the_whole_batch_never_crashes_on_any_values_and_writes_readable_outputs(
    drawn, township, remark, clean
):
    import openpyxl
    from helpers import TEMPLATES_DIR, write_criticisms

    from processor.batch import run
    from processor.xlsx.save import save_reproducibly

    # clean: full marks, so that the arbitrary name and remark reach the published outputs
    written = {} if clean else {item.code: _writable(v) for item, v in zip(ENTERED, drawn, strict=True)}

    def fill(wb):
        ws = wb[C.SCORE_SHEET]
        rows, col = item_rows(ws), column_of(ws, C.COL_SCORE)
        for code, value in written.items():
            ws.cell(rows[code], col).value = value
        name = label_value_cell(ws, C.LABEL_TOWNSHIP)
        name.value, name.data_type = _writable(township), "s"
        for code in ("1.1", "3.3"):
            cell = ws.cell(rows[code], column_of(ws, C.COL_REMARK))
            cell.value, cell.data_type = _writable(remark), "s"

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        fill_sheet(folder / "a.xlsx", RUBRIC, township=None, edit=fill)
        counts = openpyxl.load_workbook(TEMPLATES_DIR / C.CASE_COUNTS_TEMPLATE)
        ws = counts[C.CASE_COUNTS_SHEET]
        ws.append([None, 3])
        cell = ws.cell(ws.max_row, 1)
        cell.value, cell.data_type = _writable(township), "s"
        save_reproducibly(counts, folder / C.CASE_COUNTS_FILE, dt.datetime(2022, 1, 1))
        write_criticisms(folder, [])
        outcome = run(folder, Path(tmp) / "out")
        assert outcome.exit_code in (0, 1)
        published = (f"{C.RESULTS_DIR}/{C.CONSOLIDATED_FILE}",) if outcome.published else ()
        for name in (C.VALIDATION_REPORT_FILE, *published):
            openpyxl.load_workbook(Path(tmp) / "out" / name)
        for p in outcome.round.problems:
            if p.item and p.file == "a.xlsx" and p.code.name.startswith("SCORE"):
                assert p.cell == f"G{item_rows_cached()[p.item]}"


_ROWS: dict[str, int] = {}


def item_rows_cached() -> dict[str, int]:
    if not _ROWS:
        import openpyxl
        from helpers import SCORE_SHEET_TEMPLATE

        _ROWS.update(item_rows(openpyxl.load_workbook(SCORE_SHEET_TEMPLATE)[C.SCORE_SHEET]))
    return _ROWS


@settings(max_examples=150, deadline=None)
@given(
    where=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=8),
    insert=st.binary(max_size=8),
)
def test_any_damage_to_the_zip_itself_is_a_problem_never_a_crash(where, cut, insert):
    """Bytes cut from or inserted anywhere in the file (headers, compressed data, directory)."""
    data = _good_sheet()
    at = int(where * len(data))
    sheet, problems = read_score_sheet(data[:at] + insert + data[at + cut :], "z.xlsx", RUBRIC)
    assert sheet is not None or any(p.is_error for p in problems)
