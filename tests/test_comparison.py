"""This round against the last (last round's consolidated workbook as previous.xlsx): totals,
grades and categories, and item by item only where the item's code, name and maximum are
unchanged between the two tables; changed items listed as not comparable, never compared."""

from __future__ import annotations

import shutil

import openpyxl
from helpers import codes, write_case_counts, write_criticisms, write_rubric
from test_rubric_book import revised_2025

from processor import constants as C
from processor.batch import run
from processor.inputs.rubric_book import read_rubric_book
from processor.testing import fill_sheet


def last_round(make_round, tmp_path):
    """The 2019 round, on the 2022 table: its consolidated workbook."""
    folder = make_round(
        {"东山镇": {"3.6": 4, "4.5": 4}, "西河镇": {"1.1": 2}, "南岭乡": {}},
        remarks={t: {"3.6": "x", "4.5": "x", "1.1": "x"} for t in ("东山镇", "西河镇", "南岭乡")},
        folder=tmp_path / "2019",
    )
    (folder / C.SETTINGS_FILE).write_text("[round]\nyear = 2019\n", encoding="utf-8")
    assert run(folder, tmp_path / "2019-out", pdf=False).exit_code == 0
    return tmp_path / "2019-out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE


def this_round(tmp_path, previous, township_scores):
    """The 2025 round on the revised table, with last round's workbook as previous.xlsx."""
    folder = tmp_path / "2025"
    book = write_rubric(folder, edit=revised_2025(None))
    revised, problems = read_rubric_book(book.read_bytes(), book.name)
    assert not problems
    for n, (township, scores) in enumerate(township_scores.items()):
        fill_sheet(
            folder / f"{n}.xlsx", revised, township=township, scores=scores, remarks={c: "x" for c in scores}
        )
    write_case_counts(folder, {t: 100 - n for n, t in enumerate(township_scores)})
    write_criticisms(folder, [])
    shutil.copy(previous, folder / C.PREVIOUS_FILE)
    return folder


def test_the_comparison_compares_only_what_is_comparable(make_round, tmp_path):
    previous = last_round(make_round, tmp_path)
    folder = this_round(tmp_path, previous, {"东山镇": {"4.5": 3}, "西河镇": {}, "青石镇": {}})
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    ws = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_COMPARISON]
    header = [c.value for c in ws[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]
    }
    assert rows["东山镇"]["2019年总分"] == 98 and rows["东山镇"]["2019年等级"] == "二等"
    assert rows["西河镇"]["场所规范建设变化"] == 1  # 1.1 was 2, now 3
    assert rows["青石镇"]["2019年等级"] == "未参评"
    notes = [r[0] for r in ws.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("不可比较")]
    joined = "；".join(notes)
    assert "3.6（分值由5.0分改为6.0分）" in joined and "3.15（分值由5.0分改为4.0分）" in joined
    assert "6.1（项目名称由" in joined and "2.3（上轮没有该项目）" in joined and "2.2（本轮已删除" in joined
    assert "服务标准化" not in joined  # its maximum is unchanged: compared

    page = (tmp_path / "out" / C.RESULTS_DIR / "feedback" / "东山镇.html").read_text(encoding="utf-8")
    assert "与2019年评定比较" in page and "4.5 按时办结" in page  # 4 -> 3, comparable
    assert "3.6 电子证照应用比率" not in page.split("与2019年评定比较")[1].split("以下项目")[0]
    assert "以下项目与2019年不可比较" in page
    new = (tmp_path / "out" / C.RESULTS_DIR / "feedback" / "青石镇.html").read_text(encoding="utf-8")
    assert "2019年没有本乡镇的评定结果" in new


def test_the_consolidated_workbook_carries_its_table_and_year_for_the_next_round(make_round, tmp_path):
    previous = last_round(make_round, tmp_path)
    wb = openpyxl.load_workbook(previous)
    items = list(wb[C.OUT_RUBRIC_ITEMS].iter_rows(min_row=2, values_only=True))
    assert items[0][:4] == ("1.1", "场所规范建设", "规范场所建设", 3) and len(items) == 37
    facts = {r[0]: r[-1] for r in wb[C.OUT_MANIFEST].iter_rows(values_only=True) if r[0]}
    assert facts[C.FACT_YEAR] == "2019"


def test_a_previous_file_that_is_not_a_consolidated_workbook_is_refused(make_round, tmp_path):
    folder = make_round({"东山镇": {}})
    shutil.copy(folder / C.CASE_COUNTS_FILE, folder / C.PREVIOUS_FILE)
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert codes(outcome.round.problems) == ["PREVIOUS_NOT_CONSOLIDATED"] and not outcome.published


def test_without_a_previous_round_nothing_is_compared(make_round, tmp_path):
    folder = make_round({"东山镇": {}})
    assert run(folder, tmp_path / "out", pdf=False).exit_code == 0
    assert (
        C.OUT_COMPARISON
        not in openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE).sheetnames
    )
    assert "评定比较" not in (tmp_path / "out" / C.RESULTS_DIR / "feedback" / "东山镇.html").read_text(
        encoding="utf-8"
    )
