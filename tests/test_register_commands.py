"""The register as the clerk uses it: ``processor run`` records what it publishes (beside the
output folder unless told otherwise) and refuses to rewrite a published round; ``--correction``
keeps the old version; ``processor register`` answers who holds which grade until when, and
regenerates any version byte for byte; ``processor adjust`` records the leading group's
decisions after publication and issues a short notice for each, never touching the round's own
notice."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sqlite3

import openpyxl
import pytest
from helpers import ROOT, codes, write_adjustments

from processor import constants as C
from processor.cli import main
from processor.register import db, rounds
from processor.register.view import CANCELLED, EXPIRED, VALID, read_view
from processor.registry import adjust
from processor.rules.rubric import load_rubric
from processor.testing import fill_sheet

EXAMPLE = ROOT / "input"
NOTICE = C.RESULTS_DIR + "/" + C.NOTICE_FILE


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def county(tmp_path):
    """A clerk's folder: the example round in input/, nothing published yet."""
    shutil.copytree(EXAMPLE, tmp_path / "input")
    return tmp_path


def ran(county, capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(
        ["run", "--no-pdf", "--input", str(county / "input"), "--output", str(county / "output"), *args]
    )
    shown = capsys.readouterr()
    assert "Traceback" not in shown.err + shown.out
    return code, shown.out + shown.err


def versions(register):
    with db.opened(register, create=False) as connection:
        return [(r.version, r.correction_reason) for r in rounds.all_rounds(connection)]


# ---- run ------------------------------------------------------------------------------------


def test_a_run_registers_beside_its_output_and_the_same_run_again_records_nothing(county, capsys):
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said
    register = county / C.REGISTER_DIR
    assert db.path_in(register).is_file() and (register / C.REGISTER_BOOK).is_file()
    if os.name == "posix":  # readable by whoever may read the folder, as any file made there
        mask = os.umask(0)
        os.umask(mask)
        assert (register / C.REGISTER_BOOK).stat().st_mode & 0o777 == 0o666 & ~mask
    code, said = ran(county, capsys)
    assert code == 0 and "未重复登记" in said and versions(register) == [(1, None)]


def test_a_published_round_with_other_inputs_is_refused_and_stays_as_published(county, capsys):
    ran(county, capsys)
    before = sha(county / "output" / NOTICE)
    sheet = county / "input" / "东山镇评分表.xlsx"  # its scores changed after publication
    fill_sheet(sheet, load_rubric(), township="东山镇", scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})
    code, said = ran(county, capsys)
    assert code == 1 and "已发布的结果不能改写" in said
    assert sha(county / "output" / NOTICE) == before  # the published notice is as it was
    report = openpyxl.load_workbook(county / "output" / C.VALIDATION_REPORT_FILE)[C.OUT_PROBLEMS]
    assert "REGISTER_ROUND_PUBLISHED" in [r[-1] for r in report.iter_rows(values_only=True)]
    code, said = ran(county, capsys, "--correction", "东山镇1.1项得分录入错误")
    assert code == 0 and sha(county / "output" / NOTICE) != before
    register = county / C.REGISTER_DIR
    assert versions(register) == [(1, None), (2, "东山镇1.1项得分录入错误")]
    # both versions regenerate byte for byte from the register's archive
    for version in ("1", "2"):
        assert (
            main(["register", "--register", str(register), "--regenerate", "2022", "--version", version]) == 0
        )
    assert "完全一致" in capsys.readouterr().out


def test_a_file_added_beside_the_sheets_counts_as_other_inputs(county, capsys):
    ran(county, capsys)
    (county / "input" / "说明.txt").write_text("评定现场照片另存", encoding="utf-8")
    code, _ = ran(county, capsys)
    assert code == 1
    assert ran(county, capsys, "--correction", "补充说明文件")[0] == 0
    # its name is in the published problem list, and the archive regenerates it exactly
    assert main(["register", "--register", str(county / C.REGISTER_DIR), "--regenerate", "XX县/2022"]) == 0


def test_without_the_register_nothing_is_recorded(county, capsys):
    assert ran(county, capsys, "--no-register")[0] == 0
    assert not (county / C.REGISTER_DIR).exists()
    code, said = ran(county, capsys, "--no-register", "--correction", "理由")
    assert code == 2 and "--no-register" in said


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        (lambda p: p.write_bytes(b"\x00not a register" * 100), "不是本程序的登记簿"),
        (lambda p: _newer(p), "更新版本"),
    ],
    ids=["not a register", "from a newer program"],
)
def test_a_register_it_cannot_use_stops_the_run_and_is_left_alone(county, capsys, spoil, says):
    register = county / C.REGISTER_DIR
    register.mkdir()
    spoil(db.path_in(register))
    before = sha(db.path_in(register))
    code, said = ran(county, capsys)
    assert code == 2 and says in said
    assert sha(db.path_in(register)) == before and not (county / "output" / C.RESULTS_DIR).exists()


def _newer(path):
    connection = sqlite3.connect(path)
    connection.executescript(db.SCHEMA_1)
    connection.execute("INSERT INTO meta VALUES ('product', ?), ('schema_version', '42')", (db.PRODUCT,))
    connection.commit()
    connection.close()


def test_regeneration_says_when_the_bytes_differ(county, capsys):
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    with sqlite3.connect(db.path_in(register)) as connection:  # as if another program had made it
        connection.execute("UPDATE rounds SET workbook_sha256 = ?", ("0" * 64,))
    capsys.readouterr()
    assert main(["register", "--register", str(register), "--regenerate", "2022"]) == 1
    said = capsys.readouterr().out
    assert "通报：与登记的完全一致" in said and "汇总表：与登记的不一致" in said
    assert "程序版本相同" in said  # this program published it: the record, not the version, differs
    with sqlite3.connect(db.path_in(register)) as connection:
        connection.execute("UPDATE rounds SET program_version = '0.0.1'")
    assert main(["register", "--register", str(register), "--regenerate", "2022"]) == 1
    assert "该轮由程序版本0.0.1发布" in capsys.readouterr().out
    assert main(["register", "--register", str(register), "--regenerate", "2019"]) == 2


def test_a_large_round_is_kept_as_its_hashes_and_regenerates_from_its_folder(county, capsys, monkeypatch):
    monkeypatch.setattr(rounds, "ARCHIVE_LIMIT", 0)  # as a province's thousands of sheets would be
    assert ran(county, capsys)[0] == 0
    register = county / C.REGISTER_DIR
    with sqlite3.connect(db.path_in(register)) as connection:
        assert connection.execute("SELECT SUM(length(data)) FROM blobs").fetchone()[0] == 0
    regenerate = ["register", "--register", str(register), "--regenerate", "2022"]
    capsys.readouterr()
    assert main(regenerate) == 2 and "--input" in capsys.readouterr().err
    assert main([*regenerate, "--input", str(county / "input")]) == 0
    (county / "input" / "东山镇评分表.xlsx").write_bytes(b"changed" * 10)
    assert main([*regenerate, "--input", str(county / "input")]) == 2
    assert "东山镇评分表.xlsx" in capsys.readouterr().err


# ---- what the register answers ----------------------------------------------------------------


def second_round(county, year: int, published: str):
    """The example round again, ``year``'s, published on ``published``."""
    folder = county / f"input{year}"
    shutil.copytree(EXAMPLE, folder)
    (folder / C.SETTINGS_FILE).write_text(
        f'[county]\ndocument_number = "X行服〔{year}〕9号"\n[round]\nyear = {year}\npublication_date = {published}\n',
        encoding="utf-8",
    )
    return folder


def test_the_register_tells_each_townships_grade_its_expiry_and_the_rounds_side_by_side(county, capsys):
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    view = read_view(register, dt.date(2025, 6, 1))
    grades = {c.township: (c.grade, c.status) for c in view.current}
    assert grades["松林镇"] == ("一等", VALID) and grades["南岭乡"][0] == C.NO_GRADE
    assert all(c.expiring for c in view.current if c.status == VALID)  # 2025-08-31 is within 180 days
    assert {c.status for c in read_view(register, dt.date(2025, 9, 1)).current} <= {EXPIRED, "未获等级"}
    capsys.readouterr()
    assert main(["register", "--register", str(register), "--date", "2025-09-01"]) == 0
    said = capsys.readouterr().out  # an expired grade is no longer held
    assert "松林镇：无有效等级（已过期；2022年评定为一等；有效期至2025-08-31）" in said
    assert "南岭乡：无等级（未获等级；2022年评定为无等级）" in said
    later = second_round(county, 2025, "2025-09-10")
    assert main(["run", "--no-pdf", "--input", str(later), "--output", str(county / "output2"),
                 "--register", str(register)]) == 0  # fmt: skip
    view = read_view(register, dt.date(2025, 10, 1))
    assert {c.entry.round.year for c in view.current} == {2025} and view.years == [2022, 2025]
    assert {(ch.township, ch.direction) for ch in view.changes} >= {("松林镇", "持平")}
    capsys.readouterr()
    assert main(["register", "--register", str(register), "--date", "2025-10-01"]) == 0
    said = capsys.readouterr().out
    assert "松林镇：一等（有效；2025年评定为一等；有效期至2028-09-10）" in said and "逐轮比较" in said
    book = openpyxl.load_workbook(register / C.REGISTER_BOOK)
    assert book.sheetnames == [
        C.REG_CURRENT,
        C.REG_HISTORY,
        C.REG_DECISIONS,
        C.REG_YEARS,
        C.REG_ROUNDS,
        C.REG_PUBLICITY,
    ]
    header = [c.value for c in book[C.REG_YEARS][1]]
    assert header[:7] == [
        "乡镇",
        "2022年总分",
        "2022年名次",
        "2022年等级",
        "2025年总分",
        "2025年名次",
        "2025年等级",
    ]
    assert main(["register", "--register", str(county / "nowhere")]) == 2


# ---- decisions after publication --------------------------------------------------------------

DECISIONS = [
    [
        "白沙乡",
        None,
        dt.date(2023, 3, 15),
        "市效能办",
        "窗口工作人员上班时间离岗",
        "降低一个等级",
        "X行服〔2023〕5号",
    ],
    ["松林镇", 2022, dt.date(2024, 1, 8), "媒体曝光", "大厅工作日未按时开门", "取消等级", "X行服〔2024〕1号"],
]


def adjusted(county, capsys, table, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["adjust", str(table), "--no-pdf", "--output", str(county / "output"), *args])
    shown = capsys.readouterr()
    assert "Traceback" not in shown.err + shown.out
    return code, shown.out + shown.err


def test_decisions_are_registered_and_announced_and_the_round_stays_as_published(county, capsys):
    ran(county, capsys)
    notice, workbook = (
        sha(county / "output" / C.RESULTS_DIR / n) for n in (C.NOTICE_FILE, C.CONSOLIDATED_FILE)
    )
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS)
    code, said = adjusted(county, capsys, table)
    assert code == 0 and "已登记：白沙乡 2023-03-15 降低一个等级，二等→三等" in said
    pages = sorted((county / "output" / C.ADJUSTMENTS_DIR).iterdir())
    assert [p.name for p in pages] == [
        "2023-03-15关于白沙乡便民服务中心标准化等级调整的通报.html",
        "2024-01-08关于松林镇便民服务中心标准化等级调整的通报.html",
    ]
    text = pages[0].read_text(encoding="utf-8")
    assert "X行服〔2023〕5号" in text and "由二等调整为三等" in text and "（3分）不作调整" in text
    assert "被市效能办通报批评" in text and "2022年8月31日通报（X行服〔2022〕18号）" in text
    assert (notice, workbook) == tuple(
        sha(county / "output" / C.RESULTS_DIR / n) for n in (C.NOTICE_FILE, C.CONSOLIDATED_FILE)
    )
    register = county / C.REGISTER_DIR
    before, after = read_view(register, dt.date(2023, 3, 14)), read_view(register, dt.date(2024, 2, 1))
    assert {c.township: c.grade for c in before.current}["白沙乡"] == "二等"
    now = {c.township: c for c in after.current}
    assert now["白沙乡"].grade == "三等" and (now["松林镇"].grade, now["松林镇"].status) == (
        C.NO_GRADE,
        CANCELLED,
    )
    # the same table again records nothing new, and the notices are as they were
    written = [p.read_bytes() for p in pages]
    code, said = adjusted(county, capsys, table)
    assert code == 0 and said.count("已经登记，未重复登记") == 2
    assert sorted((county / "output" / C.ADJUSTMENTS_DIR).iterdir()) == pages
    assert [p.read_bytes() for p in pages] == written
    assert len(read_view(register, dt.date(2024, 2, 1)).decisions) == 2
    # the round's own run again (same inputs) leaves the decisions and their notices alone
    assert ran(county, capsys)[0] == 0
    assert len(read_view(register, dt.date(2024, 2, 1)).decisions) == 2
    assert [p.read_bytes() for p in pages] == written


def test_the_bonus_follows_the_grade_where_the_round_says_so(county, capsys):
    settings = county / "input" / C.SETTINGS_FILE
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\n[decisions]\nbonus_changes = true\n", encoding="utf-8"
    )
    ran(county, capsys)
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])
    assert adjusted(county, capsys, table)[0] == 0
    (page,) = (county / "output" / C.ADJUSTMENTS_DIR).iterdir()
    assert "相应由3分调整为2分" in page.read_text(encoding="utf-8")
    (decision,) = read_view(county / C.REGISTER_DIR, dt.date(2024, 1, 1)).decisions
    assert (decision.bonus_before, decision.bonus_after) == (3, 2)


def test_every_wrong_decision_is_reported_at_its_cell_and_none_is_recorded(county, capsys):
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    before = sha(db.path_in(register))
    rows = [
        ["东山镇", None, dt.date(2022, 7, 1), "市效能办", "早于发布", "降低一个等级", "X1"],  # row 2
        ["东山镇", None, dt.date(2026, 1, 1), "市效能办", "有效期满后", "降低一个等级", "X2"],  # row 3
        ["西河镇", None, dt.date(2023, 1, 1), "市效能办", "事由", "", "X3"],  # row 4: no decision
        ["西河镇", None, dt.date(2023, 1, 1), "市效能办", "事由", "降低一个等级", ""],  # row 5: no number
        [
            "东川镇",
            None,
            dt.date(2023, 1, 1),
            "市效能办",
            "事由",
            "降低一个等级",
            "X5",
        ],  # row 6: no such township
        [
            "南岭乡",
            None,
            dt.date(2023, 1, 1),
            "市效能办",
            "事由",
            "降低一个等级",
            "X6",
        ],  # row 7: no grade to lower
        [
            "北坪镇",
            2019,
            dt.date(2023, 1, 1),
            "市效能办",
            "事由",
            "降低一个等级",
            "X7",
        ],  # row 8: no 2019 round
        ["柳溪乡", None, "去年", "市效能办", "事由", "降低一个等级", "X8"],  # row 9: not a date
        [
            "红岩镇",
            None,
            dt.date(2023, 2, 1),
            "县纪委",
            "事由",
            "降低一个等级",
            "X9",
        ],  # row 10: another source
        ["红岩镇", None, dt.date(2023, 2, 1), "县纪委", "事由", "降低一个等级", "X9"],  # row 11: twice
        ["柳溪乡", 2022, dt.date(2099, 1, 1), "市效能办", "事由", "降低一个等级", "X12"],  # row 12: not yet
    ]
    table = write_adjustments(county / "调整记录.xlsx", rows)
    code, said = adjusted(county, capsys, table)
    assert code == 1 and "未登记任何决定" in said
    report = adjust(table, register, county / "output", pdf=False)
    at = sorted((p.cell, p.code.name) for p in report.problems)
    assert at == sorted(
        [
            ("C2", "ADJUST_BEFORE_PUBLICATION"),
            ("C3", "ADJUST_AFTER_EXPIRY"),
            ("F4", "ADJUST_ACTION_INVALID"),
            ("G5", "ADJUST_FIELD_MISSING"),
            ("A6", "ADJUST_NO_ROUND"),
            ("F7", "ADJUST_NO_GRADE"),
            ("B8", "ADJUST_NO_ROUND"),
            ("C9", "ADJUST_DATE_INVALID"),
            ("D10", "ADJUST_SOURCE_NOT_LISTED"),
            ("A11", "ADJUST_DUPLICATE"),
            ("C12", "ADJUST_IN_FUTURE"),
        ]
    )
    assert all(p.file == table.name and p.sheet == C.ADJUSTMENTS_SHEET for p in report.problems)
    codes(report.problems)  # every message filled in
    assert sha(db.path_in(register)) == before and not (county / "output" / C.ADJUSTMENTS_DIR).exists()


def test_an_empty_table_and_a_year_that_is_not_one_are_said_at_their_cells(county, capsys):
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    empty = write_adjustments(county / "空表.xlsx", [])
    (problem_,) = adjust(empty, register, county / "output", pdf=False).problems
    assert problem_.code.name == "ADJUST_EMPTY" and problem_.file == empty.name
    wrong = write_adjustments(
        county / "年度.xlsx",
        [["白沙乡", "二〇二二", dt.date(2023, 3, 15), "市效能办", "事由", "降低一个等级", "X1"]],
    )
    found = adjust(wrong, register, county / "output", pdf=False).problems
    assert [(p.cell, p.code.name) for p in found] == [("B2", "ADJUST_YEAR_INVALID")]
    assert read_view(register, dt.date(2024, 1, 1)).decisions == []


def test_two_clerks_adjusting_at_once_record_each_decision_once(county, capsys):
    """Three clerks at once on one register (each their own output folder): one lowers 松林镇
    while another cancels it the same day. Whichever comes second is checked again under the
    register's lock: a grade already cancelled is never lowered."""
    import subprocess
    import sys

    ran(county, capsys)
    rows = [
        *DECISIONS,
        ["松林镇", None, dt.date(2024, 1, 8), "市效能办", "事由", "降低一个等级", "X行服〔2024〕2号"],
    ]
    tables = [write_adjustments(county / f"{n}.xlsx", [row]) for n, row in enumerate(rows)]
    register = county / C.REGISTER_DIR
    command = [sys.executable, "-m", "processor", "adjust", "--no-pdf", "--register", str(register)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clerks = [
        subprocess.Popen([*command, "--output", str(county / f"out{n}"), str(t)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for n, t in enumerate(tables)
    ]  # fmt: skip
    said = [c.communicate(timeout=120)[0].decode("utf-8") for c in clerks]
    assert all("Traceback" not in s and "内部错误" not in s for s in said), said
    codes_ = [c.returncode for c in clerks]
    decided = read_view(register, dt.date(2024, 6, 1)).decisions
    assert [(d.township, d.document_number) for d in decided if d.township == "白沙乡"] == [
        ("白沙乡", "X行服〔2023〕5号")
    ]
    assert all(d.grade_before != C.NO_GRADE for d in decided)
    lowered_first = [d.document_number for d in decided if d.township == "松林镇"] == [
        "X行服〔2024〕2号",
        "X行服〔2024〕1号",
    ]
    if lowered_first:
        assert codes_ == [0, 0, 0], said
    else:  # refused when it checked its table (1) or again under the lock (2)
        assert codes_[:2] == [0, 0] and codes_[2] in (1, 2), said
        assert "已无等级" in said[2] or "冲突" in said[2]
    with sqlite3.connect(db.path_in(register)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_output_folder_in_use_is_refused_before_anything_is_recorded(county, capsys, monkeypatch):
    from processor.outputs import publish

    ran(county, capsys)
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])

    @contextlib.contextmanager
    def in_use(output):
        raise publish.OutputError(f"另一个处理正在使用输出文件夹 {output}；请等它结束后再运行")
        yield

    monkeypatch.setattr(publish, "_locked", in_use)
    code, said = adjusted(county, capsys, table)
    assert code == 2 and "正在使用输出文件夹" in said
    assert read_view(county / C.REGISTER_DIR, dt.date(2024, 1, 1)).decisions == []


def test_decisions_go_in_order_and_stop_at_no_grade(county, capsys):
    ran(county, capsys)
    first = write_adjustments(county / "a.xlsx", [DECISIONS[1]])
    assert adjusted(county, capsys, first)[0] == 0
    again = write_adjustments(
        county / "b.xlsx",
        [
            ["松林镇", None, dt.date(2024, 3, 1), "媒体曝光", "再次曝光", "降低一个等级", "X行服〔2024〕3号"],
            ["青石镇", None, dt.date(2023, 12, 1), "市效能办", "事由", "降低一个等级", "X行服〔2023〕9号"],
        ],
    )
    code, said = adjusted(county, capsys, again)
    assert code == 1 and "已无等级" in said
    earlier = write_adjustments(
        county / "c.xlsx", [["松林镇", None, dt.date(2023, 6, 1), "媒体曝光", "早先", "降低一个等级", "X4"]]
    )
    code, said = adjusted(county, capsys, earlier)
    assert code == 1 and "早于该乡镇已登记的上一次等级调整" in said
    assert len(read_view(county / C.REGISTER_DIR, dt.date(2025, 1, 1)).decisions) == 1


def test_a_decision_needs_a_register_with_its_round(county, capsys):
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS)
    code, said = adjusted(county, capsys, table)
    assert code == 2 and "登记簿" in said
    assert adjusted(county, capsys, county / "没有这个文件.xlsx")[0] == 2


# ---- a publication that does not finish, a correction after decisions, a busy register ------------


def test_a_switch_that_fails_leaves_nothing_published_in_the_register(county, capsys):
    """The clerk's own file in 结果/ stops the switch: the register must not hold a version that
    was never published, else the same command again (or a first publication's fix) is refused."""
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    before = sha(county / "output" / NOTICE)
    fill_sheet(county / "input" / "东山镇评分表.xlsx", load_rubric(), township="东山镇",
               scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})  # fmt: skip
    mine = county / "output" / C.RESULTS_DIR / "我的笔记.txt"
    mine.write_text("办事员自己的文件", encoding="utf-8")
    code, said = ran(county, capsys, "--correction", "东山镇录入错误")
    assert code == 2 and sha(county / "output" / NOTICE) == before
    assert versions(register) == [(1, None)]
    mine.unlink()
    code, said = ran(county, capsys, "--correction", "东山镇录入错误")
    assert code == 0 and "第2版" in said and sha(county / "output" / NOTICE) != before
    assert versions(register) == [(1, None), (2, "东山镇录入错误")]


def test_a_first_publication_that_does_not_finish_can_be_fixed_without_a_correction(county, capsys):
    (county / "output" / C.RESULTS_DIR).mkdir(parents=True)
    (county / "output" / C.RESULTS_DIR / "我的笔记.txt").write_text("x", encoding="utf-8")
    assert ran(county, capsys)[0] == 2
    shutil.rmtree(county / "output" / C.RESULTS_DIR)
    fill_sheet(county / "input" / "东山镇评分表.xlsx", load_rubric(), township="东山镇",
               scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})  # fmt: skip
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said
    assert versions(county / C.REGISTER_DIR) == [(1, None)]


def test_a_run_stopped_between_its_switch_and_its_record_is_recorded_by_the_same_command_again(
    county, capsys, monkeypatch
):
    """Killed (here: interrupted) once the result is switched in and before the register took it:
    the same command again publishes the same bytes and records them, first publication or
    correction alike."""

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    register = county / C.REGISTER_DIR
    command = ["run", "--no-pdf", "--input", str(county / "input"), "--output", str(county / "output")]
    with monkeypatch.context() as m:
        m.setattr(rounds, "record_in", killed)
        capsys.readouterr()
        assert main(command) == 1
        said = capsys.readouterr()
    assert "结果已发布，但未能记入登记簿（已中断）" in said.out and "Traceback" not in said.out + said.err
    live = sha(county / "output" / NOTICE)
    assert not db.path_in(register).exists() or versions(register) == []
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said and sha(county / "output" / NOTICE) == live
    fill_sheet(county / "input" / "东山镇评分表.xlsx", load_rubric(), township="东山镇",
               scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(rounds, "record_in", killed)
        assert main([*command, "--correction", "东山镇录入错误"]) == 1
    assert versions(register) == [(1, None)] and sha(county / "output" / NOTICE) != live
    code, said = ran(county, capsys, "--correction", "东山镇录入错误")
    assert code == 0 and "第2版" in said
    assert versions(register) == [(1, None), (2, "东山镇录入错误")]


def test_a_switch_that_fails_midway_records_nothing(county, capsys, monkeypatch):
    from processor.outputs import publish

    real = publish.Staging.commit

    def fails(self, *args, **kwargs):  # the disk full, or a file held, as the switch moves
        raise publish.OutputError("输出文件夹无法写入（磁盘已满）")

    ran(county, capsys)
    fill_sheet(county / "input" / "东山镇评分表.xlsx", load_rubric(), township="东山镇",
               scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})  # fmt: skip
    monkeypatch.setattr(publish.Staging, "commit", fails)
    assert ran(county, capsys, "--correction", "东山镇录入错误")[0] == 2
    assert versions(county / C.REGISTER_DIR) == [(1, None)]
    monkeypatch.setattr(publish.Staging, "commit", real)
    assert ran(county, capsys, "--correction", "东山镇录入错误")[0] == 0
    assert versions(county / C.REGISTER_DIR) == [(1, None), (2, "东山镇录入错误")]


def zeroed(county, township: str) -> None:
    """Every item of ``township``'s sheet at 0: its grade drops to none."""
    rubric = load_rubric()
    fill_sheet(county / "input" / f"{township}评分表.xlsx", rubric, township=township,
               scores={i.code: 0 for i in rubric.items if i.entered}, remarks={i.code: "更正" for i in rubric.items if i.entered})  # fmt: skip


@pytest.mark.parametrize("change", ["grade", "dropped"])
def test_a_correction_may_not_change_the_grade_of_a_township_decided_on(county, capsys, change):
    ran(county, capsys)
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])  # 白沙乡 二等→三等
    assert adjusted(county, capsys, table)[0] == 0
    if change == "grade":
        zeroed(county, "白沙乡")
    else:
        (county / "input" / "白沙乡评分表.xlsx").unlink()
        criticisms = county / "input" / "criticisms.xlsx"  # and its criticism, which names it
        book = openpyxl.load_workbook(criticisms)
        sheet = book.worksheets[0]
        for row in reversed(range(2, sheet.max_row + 1)):
            if sheet.cell(row, 1).value == "白沙乡":
                sheet.delete_rows(row)
        book.save(criticisms)
    code, said = ran(county, capsys, "--correction", "白沙乡更正")
    register = county / C.REGISTER_DIR
    after = "无等级" if change == "grade" else "未列入"
    assert code == 1 and f"白沙乡：原评定二等，更正后{after}（已有等级调整X行服〔2023〕5号）" in said
    assert versions(register) == [(1, None)]
    assert adjusted(county, capsys, table)[0] == 0  # the register is as usable as before


def test_a_correction_that_leaves_decided_grades_alone_is_recorded(county, capsys):
    ran(county, capsys)
    table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])
    assert adjusted(county, capsys, table)[0] == 0
    zeroed(county, "南岭乡")  # last before and after: no township's grade changes
    code, _ = ran(county, capsys, "--correction", "南岭乡录入错误")
    assert code == 0 and versions(county / C.REGISTER_DIR)[-1] == (2, "南岭乡录入错误")
    now = {c.township: c.grade for c in read_view(county / C.REGISTER_DIR, dt.date(2024, 1, 1)).current}
    assert now["白沙乡"] == "三等"


@pytest.mark.parametrize("lock", ["EXCLUSIVE", "IMMEDIATE"], ids=["writing", "about to write"])
def test_a_busy_register_is_said_to_be_busy_and_nothing_is_published(county, capsys, monkeypatch, lock):
    """Another clerk's write in progress: the run waits, then stops before publishing (its lock is
    taken before the check), and says the register is busy, not damaged."""
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    monkeypatch.setattr(db, "WAIT_SECONDS", 0.2)
    holder = sqlite3.connect(db.path_in(register), isolation_level=None)
    holder.execute(f"BEGIN {lock}")
    before = sha(county / "output" / NOTICE)
    try:
        table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])
        code, said = adjusted(county, capsys, table)
        assert code == 2 and "正被另一个处理使用" in said and "已损坏" not in said
        fill_sheet(county / "input" / "东山镇评分表.xlsx", load_rubric(), township="东山镇",
                   scores={"1.1": 0.5}, remarks={"1.1": "补记扣分"})  # fmt: skip
        code, said = ran(county, capsys, "--correction", "东山镇录入错误")
        assert code == 2 and "正被另一个处理使用" in said and "已损坏" not in said
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert versions(register) == [(1, None)] and sha(county / "output" / NOTICE) == before
    assert ran(county, capsys, "--correction", "东山镇录入错误")[0] == 0
    assert versions(register) == [(1, None), (2, "东山镇录入错误")]


@pytest.mark.parametrize(
    "failure",
    [db.RegisterError("磁盘已满"), OSError(28, "No space left on device")],
    ids=["register", "disk"],
)
def test_a_record_that_fails_after_the_switch_says_the_result_is_published_and_unrecorded(
    county, capsys, monkeypatch, failure
):
    def fails(*args, **kwargs):
        raise failure

    monkeypatch.setattr(rounds, "record_in", fails)
    code, said = ran(county, capsys)
    assert code == 1 and "结果已发布，但未能记入登记簿" in said and "照原命令" in said
    assert "结果已发布：" in said and C.NOTICE_FILE in said  # where the published files are
    assert (county / "output" / NOTICE).is_file()
    assert not db.path_in(county / C.REGISTER_DIR).exists() or versions(county / C.REGISTER_DIR) == []
    monkeypatch.undo()
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said


@pytest.mark.parametrize(
    "inside", ["input", "input/登记", "output/结果", "output/结果/登记", "output/等级调整/登记"]
)
def test_a_register_inside_the_inputs_or_a_folder_publication_replaces_is_refused(county, capsys, inside):
    before = sorted(p.name for p in (county / "input").iterdir())
    code, said = ran(county, capsys, "--register", str(county / inside))
    assert code == 2 and "登记簿文件夹" in said and "--register" in said
    assert sorted(p.name for p in (county / "input").iterdir()) == before
    assert not db.path_in(county / inside).exists()
    if inside.startswith("output"):  # and so is an adjustment's
        table = write_adjustments(county / "调整记录.xlsx", DECISIONS[:1])
        code, said = adjusted(county, capsys, table, "--register", str(county / inside))
        assert code == 2 and "登记簿文件夹" in said
        assert not db.path_in(county / inside).exists()


def test_the_register_is_shown_even_when_its_workbook_is_open(county, capsys, monkeypatch):
    ran(county, capsys)
    register = county / C.REGISTER_DIR
    real = os.replace

    def held(source, target):  # Windows: a workbook open in Excel cannot be replaced
        if str(target).endswith(C.REGISTER_BOOK):
            raise PermissionError(13, "另一个程序正在使用此文件", str(target))
        return real(source, target)

    monkeypatch.setattr(os, "replace", held)
    capsys.readouterr()
    assert main(["register", "--register", str(register)]) == 0
    said = capsys.readouterr().out
    assert "松林镇：" in said and "未能重写" in said
    assert [p.name for p in register.iterdir() if p.name.endswith(".tmp")] == []


def test_a_register_folder_that_cannot_be_written_is_a_note_after_the_run(county, capsys, monkeypatch):
    from processor.outputs import register_book

    def refused(*args, **kwargs):
        raise PermissionError(13, "拒绝访问", str(county / C.REGISTER_DIR))

    monkeypatch.setattr(register_book.tempfile, "mkstemp", refused)
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said and "未能重写" in said


def test_xlsxwriters_own_error_on_the_register_workbook_is_a_note(county, capsys, monkeypatch):
    from xlsxwriter.exceptions import FileCreateError

    from processor.outputs import register_book

    def refused(path, view):  # what xlsxwriter raises where the folder is read-only
        raise FileCreateError(PermissionError(13, "拒绝访问", str(path)))

    monkeypatch.setattr(register_book, "write_register_book", refused)
    code, said = ran(county, capsys)
    assert code == 0 and "已登记为XX县/2022第1版" in said and "未能重写" in said
    assert [p.name for p in (county / C.REGISTER_DIR).iterdir() if p.name.endswith(".tmp")] == []
