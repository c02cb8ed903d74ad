"""The clerk's command end to end: the example round, exit codes, atomic outputs, inputs untouched."""

import gc
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import openpyxl
import pytest
from helpers import run_read_only

from processor import constants as C
from processor.batch import run
from processor.cli import main
from processor.outputs import html as notice
from processor.processes import OutputFailed, beside, can_fork, frozen

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "input"


def hashes(folder: Path) -> dict[str, str]:
    """Every output file, folders included (feedback/<乡镇>.html), by its path in the folder."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_the_example_round_follows_the_template(tmp_path):
    """scripts/make_example_round.py regenerates input/ byte for byte from the committed template."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_example_round.py"), str(tmp_path)], check=True
    )
    assert hashes(tmp_path) == hashes(EXAMPLE)


def test_the_example_round_publishes_everything(example, tmp_path):
    out = tmp_path / "output"
    outcome = run(example, out)
    assert outcome.exit_code == 0 and outcome.published
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
        C.RESULTS_DIR,
        C.VALIDATION_REPORT_FILE,
    }
    assert {p.name for p in (out / C.RESULTS_DIR).iterdir()} == {
        C.CONSOLIDATED_FILE,
        C.NOTICE_FILE,
        C.FEEDBACK_DIR,
        C.VALIDATION_REPORT_FILE,
    }
    assert len(list((out / C.RESULTS_DIR / C.FEEDBACK_DIR).glob("*.html"))) == 12
    wb = openpyxl.load_workbook(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE)
    assert wb.sheetnames[0] == C.OUT_SUMMARY
    summary = wb[C.OUT_SUMMARY]
    header = [c.value for c in summary[1]]
    for title in ("排名", "乡镇", "初评等级", "降级情况", "等级", "绩效加分"):
        assert title in header
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12
    grades = [r[header.index("等级")] for r in rows]
    assert grades.count("一等") + grades.count("二等") + grades.count("三等") + grades.count("无等级") == 12
    # the example's one criticism lowers a first-grade center to the second grade
    downgraded = [r for r in rows if r[header.index("初评等级")] != r[header.index("等级")]]
    assert [(r[header.index("初评等级")], r[header.index("等级")]) for r in downgraded] == [("一等", "二等")]
    assert isinstance(rows[0][header.index(f"总分（{100}）")], int | float)
    html = (out / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    for text in ("一、评定结果", "二、降级情况", "三、结果运用", "四、工作要求", "附件", "2022年8月31日"):
        assert text in html
    manifest = wb[C.OUT_MANIFEST]
    names = [r[0] for r in manifest.iter_rows(min_row=2, values_only=True)]
    assert "case_counts.xlsx" in names and "criticisms.xlsx" in names


def test_same_inputs_give_byte_identical_outputs(example, tmp_path):
    run(example, tmp_path / "a")
    run(example, tmp_path / "b")
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")


def test_compiled_templates_kept_between_runs_never_change_the_outputs(example, tmp_path, monkeypatch):
    run(example, tmp_path / "plain", pdf=False)
    cache = tmp_path / "tmp"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(cache))
    run(example, tmp_path / "cold", pdf=False)  # compiles and keeps the templates
    kept = list(cache.rglob("*.cache"))
    assert kept
    run(example, tmp_path / "warm", pdf=False)
    for path in kept:  # right magic, broken body: only our cache's guard keeps this from failing
        path.write_bytes(jinja2.bccache.bc_magic + b"not a compiled template")
    run(example, tmp_path / "corrupt", pdf=False)
    blocked = tmp_path / "tmp2"
    blocked.mkdir()
    for path in kept:  # a file where jinja2 keeps its cache folder
        (blocked / path.parent.name).write_text("not a folder")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    assert notice._compiled_templates() is None
    run(example, tmp_path / "unusable", pdf=False)
    for name in ("cold", "warm", "corrupt", "unusable"):
        assert hashes(tmp_path / name) == hashes(tmp_path / "plain"), name


def test_inputs_are_never_written_and_a_read_only_input_folder_works(example, tmp_path):
    before = hashes(example)
    outcome = run_read_only(example, tmp_path / "out")
    assert outcome.exit_code == 0
    assert hashes(example) == before


def test_an_error_publishes_nothing_and_keeps_the_previous_results(example, tmp_path):
    out = tmp_path / "out"
    run(example, out)
    published = hashes(out)
    (example / "坏表.xlsx").write_text("乡镇,得分\n东山镇,90\n", encoding="utf-8")
    outcome = run(example, out)
    assert outcome.exit_code == 1 and not outcome.published
    after = hashes(out)
    # the published result is as it was, all of it; the problem list beside it is this run's
    assert {k: v for k, v in after.items() if k.startswith(C.RESULTS_DIR)} == {
        k: v for k, v in published.items() if k.startswith(C.RESULTS_DIR)
    }
    assert after[C.VALIDATION_REPORT_FILE] != published[C.VALIDATION_REPORT_FILE]
    report = openpyxl.load_workbook(out / C.VALIDATION_REPORT_FILE)[C.OUT_PROBLEMS]
    rows = list(report.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[-1]) for r in rows] == [("坏表.xlsx", "FILE_NOT_XLSX")]


def test_every_problem_of_every_file_in_one_run(make_round, tmp_path):
    folder = make_round({"东山镇": {"1.1": 9, "2.2": "两分"}, "西河镇": {"3.6": None}})
    outcome = run(folder, tmp_path / "out")
    found = {(p.code.name, p.item) for p in outcome.round.problems}
    assert {("SCORE_ABOVE_MAX", "1.1"), ("SCORE_NOT_NUMBER", "2.2"), ("SCORE_BLANK", "3.6")} <= found
    assert outcome.exit_code == 1


def test_cross_file_problems(make_round, make_sheet, tmp_path):
    import datetime as dt

    folder = make_round(
        {"东山镇": {}, "西河镇": {}},
        counts={"东山镇": 5},
        criticisms=[["北坪镇", dt.date(2022, 1, 5), "媒体曝光", "x", None]],
    )
    make_sheet("东山镇 ", folder=folder, name="zz.xlsx")
    outcome = run(folder, tmp_path / "out")
    found = [(p.code.name, p.value.strip()) for p in outcome.round.problems]
    assert found.count(("TOWNSHIP_DUPLICATE", "东山镇")) == 2
    assert ("TOWNSHIP_NO_CASE_COUNT", "西河镇") in found
    assert ("CRITICISM_UNKNOWN_TOWNSHIP", "北坪镇") in found


def test_missing_companion_tables_are_errors(make_sheet, tmp_path):
    make_sheet("东山镇", folder=tmp_path / "in")
    outcome = run(tmp_path / "in", tmp_path / "out")
    assert sorted(p.code.name for p in outcome.round.problems) == ["TABLE_MISSING", "TABLE_MISSING"]


def test_lock_files_and_hidden_files_are_skipped_and_others_reported(example, tmp_path):
    (example / "~$东山镇评分表.xlsx").write_bytes(b"lock")
    (example / ".hidden.xlsx").write_bytes(b"x")
    (example / "说明.txt").write_text("notes", encoding="utf-8")
    (example / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    outcome = run(example, tmp_path / "out")
    assert sorted((p.code.name, p.file) for p in outcome.round.problems) == [
        ("FILE_HIDDEN", ".hidden.xlsx"),  # skipped, but not without a word
        ("FILE_IGNORED", "说明.txt"),
        ("FILE_WRONG_TYPE", "旧表.xls"),
    ]


def test_a_formula_remark_stays_text_in_the_outputs(make_sheet, tmp_path):
    from helpers import write_case_counts, write_criticisms

    from processor.testing import column_of, item_rows

    text = '=HYPERLINK("http://x","点")'

    def remark_as_text(wb):  # what Excel stores when the inspector types '=... as text
        ws = wb[C.SCORE_SHEET]
        cell = ws.cell(item_rows(ws)["1.1"], column_of(ws, C.COL_REMARK))
        cell.value = text
        cell.data_type = "s"

    folder = tmp_path / "in"
    make_sheet("东山镇", scores={"1.1": 2}, folder=folder, edit=remark_as_text)
    write_case_counts(folder, {"东山镇": 3})
    write_criticisms(folder, [])
    out = tmp_path / "out"
    assert run(folder, out).exit_code == 0
    ws = openpyxl.load_workbook(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_DEDUCTIONS]
    assert ws["G2"].value == text and ws["G2"].data_type == "s"


def test_markup_in_a_name_is_escaped_in_the_notice(make_round, tmp_path):
    folder = make_round({"<b>东山镇</b>": {}})
    out = tmp_path / "out"
    assert run(folder, out).exit_code == 0
    html = (out / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "<b>东山镇" not in html and "&lt;b&gt;东山镇" in html


def test_an_unwritable_output_folder_is_a_usage_error_before_any_work(example, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", "--input", str(example), "--output", str(blocker / "out")]) == 2
    assert "输出文件夹" in capsys.readouterr().err


def test_output_inside_the_input_folder_is_refused(example, capsys):
    assert main(["run", "--input", str(example), "--output", str(example / "out")]) == 2
    assert not (example / "out").exists()


def test_two_runs_on_one_output_do_not_interleave(example, tmp_path):
    import fcntl

    from processor.outputs.publish import LOCK_FILE, OutputError

    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(OutputError):
            run(example, out)
    assert run(example, out).exit_code == 0


def test_an_interrupted_run_leaves_the_previous_outputs(example, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run(example, out)
    before = hashes(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("processor.outputs.notice.render_notice", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(example, out)
    assert hashes(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_a_large_round_is_split_so_its_outputs_stay_usable(make_round, tmp_path, monkeypatch):
    """Above LARGE_ROUND townships: details to CSV, no feedback pages, the notice counts the rest."""
    import csv

    monkeypatch.setattr(C, "LARGE_ROUND", 3)
    names = [f"乡{n:02d}" for n in range(15)]
    folder = make_round(
        {n: {"3.6": 4.5} for n in names}, counts={n: 100 - i for i, n in enumerate(names)},
        remarks={n: {"3.6": "-少调用1件" if n == "乡00" else "少调用"} for n in names},
    )  # fmt: skip
    out = tmp_path / "out"
    outcome = run(folder, out, pdf=False)
    assert outcome.exit_code == 0 and outcome.notes
    assert not (out / C.RESULTS_DIR / C.FEEDBACK_DIR).exists()
    wb = openpyxl.load_workbook(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE)
    assert C.OUT_ITEMS not in wb.sheetnames and C.OUT_DEDUCTIONS not in wb.sheetnames
    summary = list(wb[C.OUT_SUMMARY].iter_rows(min_row=2, values_only=True))
    assert len(summary) == 15 and [r[1] for r in summary][:3] == ["乡00", "乡01", "乡02"]
    with open(out / C.RESULTS_DIR / C.ITEM_SCORES_CSV, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["乡镇", "1.1"] and len(rows) == 16 and rows[1][0] == "乡00"
    with open(out / C.RESULTS_DIR / C.DEDUCTIONS_CSV, encoding="utf-8-sig") as handle:
        deductions = list(csv.reader(handle))
    assert deductions[1][6] == "'-少调用1件"  # a formula-like remark is shown, never run
    html = (out / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "未评定等级的乡镇便民服务中心4个，名单及得分见汇总表" in html
    assert "其余4个未评定等级的乡镇便民服务中心从略" in html
    # a later small round replaces the split outputs rather than leaving them beside its own
    monkeypatch.setattr(C, "LARGE_ROUND", 2000)
    assert run(folder, out, pdf=False).exit_code == 0
    assert (
        not (out / C.RESULTS_DIR / C.ITEM_SCORES_CSV).exists()
        and (out / C.RESULTS_DIR / C.FEEDBACK_DIR).is_dir()
    )


def test_a_large_rounds_problem_list_is_written_row_by_row_and_reads_the_same(
    make_round, tmp_path, monkeypatch
):
    """Beside the large consolidated workbook, the problem list (a manifest row per sheet) is
    not held in memory either; what it shows is what a small round's shows, row heights too."""
    import zipfile

    folder = make_round({f"乡{n:02d}": {} for n in range(6)})
    for n in range(4):  # warnings, each wrapping in its row
        (folder / f"说明{n}.txt").write_text("不是评分表", encoding="utf-8")

    def report(limit: int) -> Path:
        monkeypatch.setattr(C, "LARGE_ROUND", limit)
        out = tmp_path / f"out-{limit}"
        assert run(folder, out, pdf=False).exit_code == 0
        return out / C.VALIDATION_REPORT_FILE

    large, small = report(3), report(2000)

    def shown(path: Path) -> dict:
        wb = openpyxl.load_workbook(path)
        return {
            ws.title: (
                [list(row) for row in ws.iter_rows(values_only=True)],
                {r: d.height for r, d in ws.row_dimensions.items() if d.height},
                {c: d.width for c, d in ws.column_dimensions.items()},
            )
            for ws in wb.worksheets
        }

    assert shown(large) == shown(small)
    assert any(heights for _, heights, _ in shown(large).values())  # the warnings wrap
    with zipfile.ZipFile(large) as book:  # written row by row: its strings in line, no table of them
        assert "xl/sharedStrings.xml" not in book.namelist()
    with zipfile.ZipFile(small) as book:
        assert "xl/sharedStrings.xml" in book.namelist()


FORK = pytest.mark.skipif(not can_fork(), reason="outputs are written in a forked child on Linux only")


@FORK
def test_a_large_rounds_workbook_written_in_a_child_is_the_same(make_round, tmp_path, monkeypatch):
    monkeypatch.setattr(C, "LARGE_ROUND", 3)
    folder = make_round({f"乡{n:02d}": {"1.1": 2} for n in range(6)})
    assert run(folder, tmp_path / "forked", pdf=False).exit_code == 0
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert run(folder, tmp_path / "here", pdf=False).exit_code == 0
    assert hashes(tmp_path / "forked") == hashes(tmp_path / "here")


@FORK
def test_beside_runs_its_job_in_a_child_and_reports_a_failure(tmp_path):
    mark = tmp_path / "pid"
    with beside(lambda: mark.write_text(str(os.getpid())), enabled=True):
        pass
    assert int(mark.read_text()) != os.getpid()
    with beside(lambda: mark.write_text(str(os.getpid())), enabled=False):
        pass
    assert int(mark.read_text()) == os.getpid()
    with pytest.raises(OutputFailed, match="ZeroDivisionError"), beside(lambda: 1 / 0, enabled=True):
        pass
    start = time.monotonic()
    with pytest.raises(KeyError), beside(lambda: time.sleep(60), enabled=True):
        raise KeyError("the body failed")  # the child is stopped, not waited for
    assert time.monotonic() - start < 10
    assert not multiprocessing.active_children()


@FORK
def test_the_round_stays_frozen_for_the_collector_while_a_child_shares_it(monkeypatch):
    # the collector's passes would write to every object of the round and copy it into both
    # processes; afterwards the parent collects as before, also when the child never started
    with beside(lambda: None, enabled=True):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0

    def no_fork(self):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", no_fork)
    with pytest.raises(OSError), beside(lambda: None, enabled=True):
        pass
    assert gc.get_freeze_count() == 0
    gc.freeze()  # frozen by someone else before: left so
    try:
        with pytest.raises(OSError), beside(lambda: None, enabled=True):
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_collector_leaves_what_exists_alone_while_frozen_and_an_earlier_freeze_stays():
    assert gc.get_freeze_count() == 0
    with frozen():
        assert gc.get_freeze_count() > 0
        with frozen():  # within: not ours to undo
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(KeyError), frozen():
        raise KeyError("the body failed")
    assert gc.get_freeze_count() == 0


def test_a_round_is_graded_and_written_frozen_and_the_collector_is_back_after(example, tmp_path, monkeypatch):
    from processor.results import grading

    seen = []
    real = grading.grade

    def grade(round_):
        seen.append(gc.get_freeze_count())
        return real(round_)

    monkeypatch.setattr(grading, "grade", grade)
    assert run(example, tmp_path / "out", pdf=False).exit_code == 0
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_the_companion_tables_are_read_with_the_sheets_frozen(example, monkeypatch):
    from processor.batch import check
    from processor.inputs import crosscheck

    seen = []
    real = crosscheck.case_counts

    def case_counts(*args):
        seen.append(gc.get_freeze_count())
        return real(*args)

    monkeypatch.setattr(crosscheck, "case_counts", case_counts)
    assert check([example]).exit_code == 0
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0


@FORK
def test_the_child_writes_without_the_collectors_passes_and_the_parent_keeps_them(tmp_path):
    mark = tmp_path / "gc"
    with beside(lambda: mark.write_text(str(gc.isenabled())), enabled=True):
        pass
    assert mark.read_text() == "False"
    assert gc.isenabled()


@FORK
def test_a_workbook_that_fails_in_its_child_publishes_nothing(make_round, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(C, "LARGE_ROUND", 3)
    folder = make_round({f"乡{n:02d}": {} for n in range(6)})
    out = tmp_path / "out"

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("processor.outputs.workbook.write_consolidated", broken)
    with pytest.raises(OutputFailed) as failed:
        run(folder, out, pdf=False)
    assert str(failed.value) == "RuntimeError: a bug"  # what the clerk is shown: one line
    assert "Traceback" in "".join(failed.value.__notes__)  # what error.log gets
    assert not [p for p in out.iterdir() if not p.name.startswith(".")]
    assert main(["run", "--input", str(folder), "--output", str(out), "--no-pdf"]) == 3
    shown = capsys.readouterr().err
    assert "RuntimeError: a bug" in shown and "Traceback" not in shown
    assert "Traceback" in (out / C.ERROR_LOG_FILE).read_text(encoding="utf-8")


def test_leftovers_of_a_killed_run_are_swept_once_the_lock_is_held(example, tmp_path):
    out = tmp_path / "out"
    (out / ".staging-dead").mkdir(parents=True)
    (out / ".staging-dead" / "notice.html").write_text("half", encoding="utf-8")
    (out / ".old-feedback-x" / "feedback").mkdir(parents=True)
    assert run(example, out, pdf=False).exit_code == 0
    assert not [p.name for p in out.iterdir() if p.name.startswith((".staging", ".old"))]


def _square(n: int) -> int:
    return n * n


def _nothing() -> None:
    pass


def test_the_parent_works_meanwhile_while_workers_map_in_order():
    from processor.processes import parallel_map

    done = []
    mapped = parallel_map(
        _square, list(range(40)), 2, _nothing, (), chunksize=5, meanwhile=lambda: done.append(1)
    )
    assert list(mapped) == [n * n for n in range(40)] and done == [1]


def _mark(item: tuple[str, int]) -> int:
    folder, n = item
    time.sleep(0.01)
    (Path(folder) / str(n)).touch()
    return n


def _interrupted() -> None:
    raise KeyboardInterrupt


def test_workers_stopped_early_drop_the_items_not_yet_started(tmp_path):
    """Ctrl-C sent to the batch alone (not to its workers) while it imports or parses the
    case counts beside them: the sheets not yet started are not read to the end first."""
    from processor.processes import parallel_map

    items = [(str(tmp_path), n) for n in range(400)]
    mapped = parallel_map(_mark, items, 2, _nothing, (), chunksize=5, meanwhile=_interrupted)
    with pytest.raises(KeyboardInterrupt):
        next(mapped)
    assert len(list(tmp_path.iterdir())) < 100  # those being read and queued: a few chunks of 5


def test_a_round_of_a_few_hundred_writes_its_workbook_beside_the_other_outputs(
    make_round, tmp_path, monkeypatch
):
    import processor.batch as batch

    seen = []
    real = batch.beside
    monkeypatch.setattr(batch, "BESIDE_FROM", 3)
    monkeypatch.setattr(
        batch, "beside", lambda job, enabled, output: seen.append(enabled) or real(job, enabled, output)
    )
    assert run(make_round({f"乡{n}": {} for n in range(3)}), tmp_path / "out", pdf=False).exit_code == 0
    assert seen == [True]  # in a forked child where the system forks, else in turn
    assert (tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE).stat().st_size > 0
