"""The batch under hostile input: text from the files stays text in every output, outputs go only
where we put them, and an interrupted or concurrent run loses nothing."""

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from helpers import TEMPLATES_DIR, run_read_only

from processor import constants as C
from processor.batch import run
from processor.testing import column_of, item_rows, label_value_cell
from processor.xlsx.save import save_reproducibly

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "input"
FORMULA_LIKE = ("=", "+", "-", "@")


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def as_text(cell, value) -> None:
    """What Excel stores when "=1+1" is typed into a text-formatted cell: a string, not a formula."""
    cell.value = value
    cell.data_type = "s"


def hostile_sheet(make_sheet, folder, township, remark, score=None, name=None):
    def edit(wb):
        ws = wb[C.SCORE_SHEET]
        rows = item_rows(ws)
        as_text(label_value_cell(ws, C.LABEL_TOWNSHIP), township)
        as_text(label_value_cell(ws, C.LABEL_INSPECTORS), remark)
        as_text(ws.cell(rows["1.1"], column_of(ws, C.COL_REMARK)), remark)
        if score is not None:
            as_text(ws.cell(rows["1.2"], column_of(ws, C.COL_SCORE)), score)

    return make_sheet(township, scores={"1.1": 2}, folder=folder, name=name, edit=edit)


def hostile_case_counts(folder: Path, counts: dict[str, int], criticisms=()) -> None:
    wb = openpyxl.load_workbook(TEMPLATES_DIR / C.CASE_COUNTS_TEMPLATE)
    ws = wb[C.CASE_COUNTS_SHEET]
    for unit, count in counts.items():
        ws.append([None, count])
        as_text(ws.cell(ws.max_row, 1), unit)
    save_reproducibly(wb, folder / C.CASE_COUNTS_FILE, dt.datetime(2022, 1, 1))
    wb = openpyxl.load_workbook(TEMPLATES_DIR / C.CRITICISMS_TEMPLATE)
    ws = wb[C.CRITICISMS_SHEET]
    for township, reason in criticisms:
        ws.append([None, dt.date(2022, 5, 1), "媒体曝光", None])
        as_text(ws.cell(ws.max_row, 1), township)
        as_text(ws.cell(ws.max_row, 4), reason)
    save_reproducibly(wb, folder / C.CRITICISMS_FILE, dt.datetime(2022, 1, 1))


NAMES = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(1)",
    '=HYPERLINK("http://x","y")',
    "<script>alert(1)</script>镇",
    "../../evil",
]


def text_cells_are_strings(path: Path) -> int:
    """Every cell of the workbook whose text looks like a formula is a string; returns how many."""
    seen = 0
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LIKE):
                    assert cell.data_type == "s"
                    seen += 1
    return seen


def test_formula_like_names_and_remarks_stay_text_and_markup_is_escaped(make_sheet, tmp_path):
    folder = tmp_path / "in"
    for n, name in enumerate(NAMES):
        hostile_sheet(make_sheet, folder, name, f"{name}说明" if name[0] == "<" else name, name=f"{n}.xlsx")
    reason = '=1+1<img src=x onerror="alert(1)">'
    hostile_case_counts(folder, {name: 100 - n for n, name in enumerate(NAMES)}, criticisms=[("+1", reason)])
    out = tmp_path / "out"
    outcome = run(folder, out)
    assert outcome.published, [(p.code.name, p.file, p.value) for p in outcome.round.problems]
    assert (
        text_cells_are_strings(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE) >= 5 * 2 + 1
    )  # names, remarks, reason
    text_cells_are_strings(out / C.VALIDATION_REPORT_FILE)
    html = (out / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img" in html  # the reason is in the notice, escaped
    # a name like ../../evil never becomes a path: only our fixed outputs exist, all in out/
    everything = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    inputs = {f"in/{p.name}" for p in folder.iterdir()}
    results = (C.CONSOLIDATED_FILE, C.NOTICE_FILE, C.VALIDATION_REPORT_FILE)
    outputs = {f"out/{C.RESULTS_DIR}/{n}" for n in results} | {
        f"out/{n}" for n in (C.VALIDATION_REPORT_FILE, ".processor.lock")
    }
    # per-township feedback pages: one each, with names made safe, inside out/结果/feedback/
    feedback = {f for f in everything if f.startswith(f"out/{C.RESULTS_DIR}/{C.FEEDBACK_DIR}/")}
    assert len(feedback) == len(NAMES)
    assert all(f.count("/") == 3 and f.endswith(".html") for f in feedback)
    assert everything == inputs | outputs | feedback


def test_formula_like_values_stay_text_in_the_validation_report(make_sheet, tmp_path):
    folder = tmp_path / "in"
    hostile_sheet(make_sheet, folder, "=1+1", "@SUM(1)", score="=cmd|' /C calc'!A0", name="a.xlsx")
    hostile_sheet(make_sheet, folder, "-2", "+2", score="@x", name="b.xlsx")
    hostile_case_counts(folder, {"=1+1": 5})  # -2 has none: an error naming "-2"
    for name in ("=HYPERLINK(1).xlsx", "+1.xlsx", "@x.xlsx", "-1.xlsx"):  # names a folder can hold
        (folder / name).write_bytes(b"not a workbook")
    out = tmp_path / "out"
    outcome = run(folder, out)
    assert not outcome.published
    assert {p.file for p in outcome.round.problems} >= {"=HYPERLINK(1).xlsx", "+1.xlsx", "@x.xlsx", "-1.xlsx"}
    found = {(p.code.name, p.value) for p in outcome.round.problems}
    assert ("SCORE_NOT_NUMBER", "=cmd|' /C calc'!A0") in found and ("TOWNSHIP_NO_CASE_COUNT", "-2") in found
    assert text_cells_are_strings(out / C.VALIDATION_REPORT_FILE) >= 3 + 4


def test_a_crash_on_a_companion_table_names_it_and_the_sheets_are_still_checked(
    make_round, tmp_path, monkeypatch
):
    folder = make_round({"东山镇": {"1.1": 9}})

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("processor.inputs.crosscheck.read_case_counts", crash)
    out = tmp_path / "out"
    outcome = run(folder, out)
    found = {(p.code.name, p.file) for p in outcome.round.problems}
    assert ("INTERNAL_ERROR", C.CASE_COUNTS_FILE) in found
    assert any(code == "SCORE_ABOVE_MAX" for code, _ in found)
    assert "RuntimeError: boom" in (out / C.ERROR_LOG_FILE).read_text(encoding="utf-8")


# ---- nothing lost: real processes ----------------------------------------------------------


@pytest.fixture
def slow_round(tmp_path):
    """The example round plus many copies of one sheet: a run of many seconds."""
    folder = tmp_path / "slow"
    shutil.copytree(EXAMPLE, folder)
    sheet = next(
        p for p in sorted(folder.glob("*.xlsx")) if p.name not in (C.CASE_COUNTS_FILE, C.CRITICISMS_FILE)
    )
    # Links to one file cost nothing; the runs are interrupted long before the end. Enough of
    # them that a run lasts several seconds however fast the reader gets (1,500 sheets were
    # read in about 2 s on 2026-12-08, close to the half second after which Ctrl-C is sent).
    for n in range(6000):
        os.link(sheet, folder / f"zz{n:04d}.xlsx")
    return folder


def _start(input_dir: Path, output_dir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "processor",
        "run",
        "--input",
        str(input_dir),
        "--output",
        str(output_dir),
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible if os.name == "posix" else None,
    )


def _interruptible() -> None:
    """In the run's process before it starts: Ctrl-C as a terminal delivers it, even when these
    tests were started with Ctrl-C ignored (a job a script puts in the background), which the
    run would inherit and Python keep: the Ctrl-C test then saw a run that never stopped."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until_running(process: subprocess.Popen, output_dir: Path) -> None:
    """Until the run has made its staging folder (it is mid-run), or fail."""
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(".staging") for p in output_dir.iterdir()):
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_ctrl_c_mid_run_leaves_the_previous_outputs_byte_identical(slow_round, tmp_path):
    out = tmp_path / "out"
    assert run(EXAMPLE, out).published
    before = hashes(out)
    process = _start(slow_round, out)
    _wait_until_running(process, out)
    time.sleep(0.5)
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert hashes(out) == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".staging")]


def test_a_second_run_on_the_same_output_is_refused_clearly(slow_round, tmp_path):
    out = tmp_path / "out"
    assert run(EXAMPLE, out).published
    before = hashes(out)
    first = _start(slow_round, out)
    try:
        _wait_until_running(first, out)
        second = _start(EXAMPLE, out)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2 and "另一个处理" in err and "Traceback" not in err
        assert hashes(out) == before  # the second run wrote nothing
    finally:
        if first.poll() is None:
            first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".staging")]


def test_input_files_are_opened_read_only_even_when_hostile(tmp_path):
    import corpus

    folder = tmp_path / "in"
    folder.mkdir()
    for name, (make, _) in {**corpus.FORMATS, **corpus.RESOURCE_ATTACKS}.items():
        (folder / name).write_bytes(make())
    before = hashes(folder)
    outcome = run_read_only(folder, tmp_path / "out")
    assert outcome.exit_code == 1 and hashes(folder) == before
    assert os.access(tmp_path / "out" / C.VALIDATION_REPORT_FILE, os.R_OK)


def test_no_input_file_is_ever_opened_for_writing(tmp_path, monkeypatch):
    """Proof that holds even as root (who may write a read-only file): every open of a path in
    the input folder is recorded, and each one reads."""
    import builtins
    import io

    import corpus

    folder = tmp_path / "in"
    shutil.copytree(EXAMPLE, folder)
    for name, (make, _) in corpus.FORMATS.items():
        (folder / name).write_bytes(make())
    opened = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).resolve().parent == folder.resolve():
            opened.append((Path(file).name, mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        if Path(path).resolve().parent == folder.resolve():
            opened.append((Path(path).name, "w" if flags & (os.O_WRONLY | os.O_RDWR) else "r"))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    run(folder, tmp_path / "out")
    assert opened and {name for name, _ in opened} >= set(corpus.FORMATS) - {"empty.xlsx"}
    assert all(mode in ("r", "rb") for _, mode in opened), opened


def test_a_ctrl_c_while_the_publishing_libraries_are_imported_is_delivered_once_they_are(monkeypatch):
    """A large round imports pandas, jinja2 and xlsxwriter while its workers read. Raised in the
    middle of an import (inside importlib's own callbacks) Python would print a Ctrl-C and drop
    it; held until the imports are done, it stops the run."""
    import builtins

    from processor import batch

    real, seen = builtins.__import__, []

    def importing(name, *args, **kwargs):
        seen.append(name)
        if len(seen) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the imports
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)
    with pytest.raises(KeyboardInterrupt):
        batch._import_publishing()
    assert len(seen) >= 2  # the imports went on to the end, then the Ctrl-C was delivered
