"""The inspector's side: a sheet that checks itself offline, and the sign-off block."""

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from helpers import TEMPLATES_DIR

from processor import constants as C
from processor.testing import column_of, item_rows, label_value_cell

TEMPLATE = TEMPLATES_DIR / C.SCORE_SHEET_TEMPLATE
UNO_SCRIPT = Path(__file__).with_name("uno_fill.py")


@pytest.fixture(scope="module")
def ws():
    return openpyxl.load_workbook(TEMPLATE)[C.SCORE_SHEET]


def _rules(ws):
    return [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]


def test_every_judged_score_and_remark_cell_has_its_conditional_mark(ws, rubric):
    rows = item_rows(ws)
    check = column_of(ws, C.CHECK_COLUMN)
    score_col, remark_col = column_of(ws, C.COL_SCORE), column_of(ws, C.COL_REMARK)
    rules = _rules(ws)

    def covered(cell, mark):
        return [
            r
            for ref, r in rules
            if cell.coordinate in openpyxl.worksheet.cell_range.MultiCellRange(ref)
            and r.formula[0].endswith(mark)
        ]

    for item in rubric.items:
        if not item.entered:
            continue
        row = rows[item.code]
        assert covered(ws.cell(row, score_col), "=2"), item.code
        assert covered(ws.cell(row, remark_col), "=3"), item.code
        formula = ws.cell(row, check).value
        assert formula.startswith("=IF(") and f"{item.maximum.normalize():f}" in formula
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(check)].hidden


def test_only_functions_every_office_program_evaluates_alike(ws):
    import re

    allowed = {"IF", "ISNUMBER", "ISLOGICAL", "ISERROR", "NOT", "OR", "AND", "ROUND", "LEN", "TRIM"}
    allowed |= {"SUBSTITUTE", "CHAR", "COUNT", "COUNTIF", "TEXT", "SUM"}
    formulas = [
        c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    ]
    used = {name for f in formulas for name in re.findall(r"([A-Z]+)\(", f)}
    assert used <= allowed, used - allowed


def test_status_line_and_sign_off_block(ws):
    status = label_value_cell(ws, C.LABEL_STATUS)
    assert status.value.startswith("=") and status.protection.locked
    opinion = label_value_cell(ws, C.LABEL_OPINION)
    assert not opinion.protection.locked
    for label in (C.LABEL_SIGN_INSPECTORS, C.LABEL_SIGN_HEAD, C.LABEL_SIGN_DATE):
        assert not label_value_cell(ws, label).protection.locked, label
    last_item = max(item_rows(ws).values())
    assert opinion.row > last_item
    area_end = int(str(ws.print_area).rsplit("$", 1)[-1])
    assert opinion.row < area_end  # printed with the sheet, on its last page


def _uno_available() -> str | None:
    if not shutil.which("soffice"):
        return "LibreOffice (soffice) is not installed"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return "Debian's python3-uno is not installed (/usr/bin/python3 cannot import uno)"
    return None


def _in_libreoffice(jobs: list[tuple[Path, dict, Path | None]]) -> list[dict]:
    """Each (sheet, values, save_as) filled in one LibreOffice (tests/uno_fill.py), recalculated:
    the status line and the check column as LibreOffice computes them."""
    listed = []
    for path, values, save_as in jobs:
        ws = openpyxl.load_workbook(path)[C.SCORE_SHEET]
        listed.append(
            {
                "path": str(path),
                "values": values,
                "check_col": column_of(ws, C.CHECK_COLUMN),
                "status": label_value_cell(ws, C.LABEL_STATUS).coordinate,
                "save_as": str(save_as) if save_as else None,
            }
        )
    spec = path.with_name(f"{path.stem}-jobs.json")
    spec.write_text(json.dumps(listed, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["/usr/bin/python3", str(UNO_SCRIPT), str(spec)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    for out in found:
        out["checks"] = {int(k): v for k, v in out["checks"].items()}
    return found


def _fill_in_libreoffice(path: Path, values: dict) -> dict:
    (found,) = _in_libreoffice([(path, values, None)])
    return found


@pytest.mark.skipif(_uno_available() is not None, reason=str(_uno_available()))
def test_libreoffice_computes_the_status_of_a_sheet_filled_in_it(make_sheet, rubric):
    path = make_sheet("东山镇")  # every item at full marks
    ws = openpyxl.load_workbook(path)[C.SCORE_SHEET]
    rows = item_rows(ws)
    cell = {code: ws.cell(row, column_of(ws, C.COL_SCORE)).coordinate for code, row in rows.items()}

    clean = _fill_in_libreoffice(path, {})
    assert clean["status"].startswith("已填写完整") and "96.0" in clean["status"]
    assert set(clean["checks"].values()) == {0}

    filled = _fill_in_libreoffice(
        path,
        {
            cell["1.1"]: None,
            cell["1.2"]: 2.5,
            cell["1.3"]: "两分",
            cell["3.6"]: 4.5,
            cell["3.3"]: 3.25,
            cell["6.1"]: 1,
        },
    )
    checks = filled["checks"]
    assert checks[rows["1.1"]] == 1  # blank: not yet scored
    assert checks[rows["1.2"]] == 2  # above the maximum (2)
    assert checks[rows["1.3"]] == 2  # text
    assert checks[rows["3.3"]] == 2  # finer than 0.1
    assert checks[rows["6.1"]] == 2  # an award is all or nothing
    assert checks[rows["3.6"]] == 3  # a deduction with no reason
    assert filled["status"].startswith("1项未打分；4项得分无效（红色）；1项扣分未写说明（橙色）；")


def test_the_opinion_is_read_from_the_sign_off_block(make_sheet, rubric):
    from processor.inputs.sheet import read_score_sheet

    path = make_sheet(opinion="场所规范，建议评为一等。")
    sheet, problems = read_score_sheet(path.read_bytes(), path.name, rubric)
    assert problems == [] and sheet.opinion == "场所规范，建议评为一等。"


def test_issued_sheets_have_the_township_filled_locked_and_validate(tmp_path, rubric):
    from helpers import write_case_counts

    from processor.cli import main

    roster = write_case_counts(tmp_path, {"东山镇": 3, "城关派出所": 9, "西河乡": 4, "../坏名": 1})
    assert main(["issue", str(roster), "--output", str(tmp_path / "issued")]) == 0
    issued = sorted(p.name for p in (tmp_path / "issued").iterdir() if not p.name.startswith("."))
    assert issued == ["_坏名评分表.xlsx", "东山镇评分表.xlsx", "西河乡评分表.xlsx"]  # no sheet for the police
    ws = openpyxl.load_workbook(tmp_path / "issued" / "东山镇评分表.xlsx")[C.SCORE_SHEET]
    cell = label_value_cell(ws, C.LABEL_TOWNSHIP)
    assert cell.value == "东山镇" and cell.protection.locked

    from processor.inputs.sheet import read_score_sheet

    path = tmp_path / "issued" / "东山镇评分表.xlsx"
    sheet, problems = read_score_sheet(path.read_bytes(), path.name, rubric)
    assert sheet.township == "东山镇"
    assert {p.code.name for p in problems} == {"SCORE_BLANK", "INSPECTORS_MISSING", "DATE_MISSING"}


def test_the_return_report_for_a_roster(make_round, tmp_path, capsys):
    from processor.cli import main

    folder = make_round({"东山镇": {}, "西河乡": {"1.1": 8}, "南岭镇": {}})
    wb = openpyxl.Workbook()
    wb.active.append([C.COL_ROSTER])
    for name in ("东山镇", "西河乡", "北坪镇"):
        wb.active.append([name])
    wb.save(folder / C.ROSTER_FILE)
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "已交且无误1个：东山镇" in out
    assert "已交但有问题1个：西河乡" in out
    assert "未交1个：北坪镇" in out
    # for the batch, a township on the roster with no sheet is an error, never left out silently
    assert main(["run", "--input", str(folder), "--output", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "北坪镇" in out and "南岭镇" in out  # 南岭镇 returned a sheet but is not on the roster


def test_the_opinion_reaches_the_consolidated_workbook(tmp_path):
    import shutil

    from processor.batch import run

    folder = tmp_path / "input"
    shutil.copytree(Path(__file__).resolve().parent.parent / "input", folder)
    assert run(folder, tmp_path / "out").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_SUMMARY]
    header = [c.value for c in ws[1]]
    opinions = [r[header.index(C.LABEL_OPINION)] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(opinions) == 12 and all(o and "便民服务中心" in o for o in opinions)


# One list of entries, as an inspector leaves them in a score cell: a number, a text (a cell
# formatted as text, or a paste, keeps what was typed as text) or a formula; with the remark
# beside it. The class both sides must give: 0 fine, 1 not scored, 2 invalid, 3 no reason. Items
# of maximum 3 to 5 hold them, so that 2.5 fits and 5.1 does not.
NUMBER, TEXT = "number", "text"
ENTRIES = [
    (2.5, "说明", 0),
    (2, "说明", 0),
    (0, "说明", 0),
    (5.1, "说明", 2),  # above every maximum used
    (-0.5, "说明", 2),
    (2.55, "说明", 2),  # finer than 0.1
    (2.5000001, "说明", 2),
    (2.5000000000001, "说明", 2),
    (1e-10, "说明", 2),
    ("2,5", "说明", 2),  # a decimal comma: text
    ("２．５", "说明", 2),  # full-width digits: text
    ("2.5", "说明", 2),  # a number stored as text
    (" 2 ", "说明", 2),
    ("2.5分", "说明", 2),
    ("两分", "说明", 2),
    (None, "", 1),
    (" ", "", 1),
    ("\u3000", "", 1),  # a full-width space
    ("\t", "", 1),
    (" \n", "", 1),
    ("\u2003", "", 2),  # an em space is no blank of the rule, and no number either
    ({"formula": "=2+0.5"}, "说明", 0),  # a formula's number counts (the batch warns)
    ({"formula": "=0.1+0.2"}, "说明", 0),  # 0.30000000000000004: the noise of a formula
    ({"formula": "=0.7*3"}, "说明", 0),  # 2.0999999999999996
    ({"formula": '="2.5"'}, "说明", 2),  # a formula's text
    # Not listed, as LibreOffice alone differs: a formula giving TRUE in a cell formatted as a
    # number is 1 to its ISLOGICAL (Excel: not a number; the batch: SCORE_BOOLEAN); and a tab
    # before a line break reads as character 1 in its formulas (its multi-line cells).
    ({"formula": "=1/0"}, "说明", 2),
    (2, "", 3),  # a deduction without a reason
    (2, "\u3000", 3),
    (2, " \n ", 3),
    (2, "\u00a0", 3),
    (2, "无", 0),
]
AWARDS = [("5.7", 2, 0), ("6.1", 0, 0), ("6.1", 1, 2), ("5.7", "2", 2)]  # all or nothing


def _batch_class(problems, score_cell: str, remark_cell: str) -> int:
    at = {(p.cell, p.code.name) for p in problems}
    if (score_cell, "SCORE_BLANK") in at:
        return 1
    if any(p.is_error and p.cell == score_cell for p in problems):
        return 2
    return 3 if (remark_cell, "REMARK_MISSING") in at else 0


@pytest.mark.skipif(_uno_available() is not None, reason=str(_uno_available()))
def test_the_sheet_in_libreoffice_and_the_batch_agree_on_every_entry(make_sheet, rubric, tmp_path):
    """The rule (README, 评分规则): a score is the number in its cell; text is never a score,
    however it reads. Each entry goes into LibreOffice, which recalculates the sheet's own check
    and saves the file as it stores it; that file goes through the batch's check."""
    from processor.inputs.sheet import read_score_sheet

    roomy = [i.code for i in rubric.items if i.kind == "judged" and 3 <= i.maximum <= 5]
    entries = [(code, *entry) for code, entry in zip(roomy * 3, ENTRIES, strict=False)]
    entries += [(code, score, "", want) for code, score, want in AWARDS]
    sheets: list[dict] = []  # as many sheets as it takes for each item to hold one entry
    for code, *entry in entries:
        free = next((sheet for sheet in sheets if code not in sheet), None)
        if free is None:
            sheets.append(free := {})
        free[code] = entry
    # each sheet: its entries in their items, every other item at full marks
    jobs, placed = [], []
    for k, sheet in enumerate(sheets):
        path = make_sheet("东山镇", name=f"agree{k}.xlsx")
        ws = openpyxl.load_workbook(path)[C.SCORE_SHEET]
        rows = item_rows(ws)
        score_col, remark_col = column_of(ws, C.COL_SCORE), column_of(ws, C.COL_REMARK)
        values = {}
        for code, (score, remark, want) in sheet.items():
            score_at = ws.cell(rows[code], score_col).coordinate
            remark_at = ws.cell(rows[code], remark_col).coordinate
            values[score_at], values[remark_at] = score, remark or None
            placed.append((k, code, rows[code], score_at, remark_at, score, remark, want))
        jobs.append((path, values, tmp_path / f"saved{k}.xlsx"))
    assert len(placed) == len(entries)
    found = _in_libreoffice(jobs)
    read = [read_score_sheet(saved.read_bytes(), saved.name, rubric)[1] for _, _, saved in jobs]
    disagree = []
    for k, code, row, score_at, remark_at, score, remark, want in placed:
        office = int(found[k]["checks"][row])
        batch = _batch_class(read[k], score_at, remark_at)
        if not office == batch == want:
            disagree.append((code, score, remark, f"sheet {office}", f"check {batch}", f"rule {want}"))
    assert not disagree
