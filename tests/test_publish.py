"""Publication is one recorded step: killed at any step, the output folder is the complete old
result or the complete new one once the next command has started; a file it cannot replace,
a full disk or a name too long is exit 2 with the file named and the old result untouched."""

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from processor import constants as C
from processor.batch import run
from processor.cli import main
from processor.outputs import journal, publish

ROOT = Path(__file__).resolve().parent.parent
R = C.RESULTS_DIR

# Runs the CLI with a kill point: the process ends at once (no clean-up, no finally blocks, as
# after a power cut or a killed terminal) after the k-th file-system operation of publication.
KILLER = """
import os, sys
from processor.outputs import journal
calls = 0
def step(what):
    global calls
    calls += 1
    if calls == int(sys.argv[1]):
        os._exit(137)
journal.STEP = step
from processor.cli import main
sys.exit(main(sys.argv[2:]))
"""


def tree(folder: Path, hidden: bool = False) -> dict[str, str]:
    """Every file under ``folder`` by its path, the lock file aside (and hidden entries unless
    asked for)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.name == publish.LOCK_FILE or not path.is_file():
            continue
        if not hidden and any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != publish.LOCK_FILE and p.name.startswith("."))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two rounds whose outputs differ in every file, an output folder holding the first one's
    published result (and, as after an upgrade, a notice where older versions put it), and what
    the second one publishes there. Built once; each test works on a copy."""
    from conftest import RUBRIC
    from helpers import write_case_counts, write_criticisms

    from processor.testing import fill_sheet

    base = tmp_path_factory.mktemp("rounds")
    for name, townships in (("first", {"东山镇": {}, "西河镇": {"1.1": 2}}), ("second", SECOND)):
        for n, (township, scores) in enumerate(townships.items()):
            fill_sheet(base / name / f"{n:03d}.xlsx", RUBRIC, township=township, scores=scores)
        write_case_counts(base / name, {t: 100 - n for n, t in enumerate(townships)})
        write_criticisms(base / name, [])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("processor.batch.make_pdf", lambda *args: None)
        assert run(base / "first", base / "out", pdf=False).published
        assert run(base / "second", base / "fresh", pdf=False).published
    (base / "out" / C.NOTICE_FILE).write_text("an older version's notice", encoding="utf-8")
    return base


SECOND = {"南岭乡": {"2.2": 1}, "北坪镇": {}, "青石镇": {}}


@pytest.fixture
def rounds(built, tmp_path):
    for name in ("first", "second", "out"):
        copy_tree(built / name, tmp_path / name)
    out = tmp_path / "out"
    return tmp_path / "first", tmp_path / "second", out, tree(out), tree(built / "fresh")


def kill_at(k: int, input_dir: Path, out: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-c",
        KILLER,
        str(k),
        "run",
        "--no-pdf",
        "--input",
        str(input_dir),
        "--output",
        str(out),
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def steps_of(input_dir: Path, out: Path, monkeypatch) -> list[str]:
    """The file-system operations of one run, in order (counted in this process on a copy)."""
    seen: list[str] = []
    monkeypatch.setattr(journal, "STEP", seen.append)
    assert run(input_dir, out, pdf=False).published
    monkeypatch.setattr(journal, "STEP", None)
    return seen


def copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)


def is_old_or_new(out: Path, old: dict, new: dict) -> str:
    """ "old" or "new" for the whole folder."""
    now = tree(out)
    assert now in (old, new), sorted(set(now.items()) ^ set(old.items()))
    return "old" if now == old else "new"


def test_killed_at_every_step_of_publication_the_next_run_finds_old_or_new(rounds, tmp_path, monkeypatch):
    _first, second, out, old, new = rounds
    probe = tmp_path / "probe"
    copy_tree(out, probe)
    steps = steps_of(second, probe, monkeypatch)
    assert len(steps) >= 8 and "aside 结果" in steps and f"aside {C.NOTICE_FILE}" in steps
    seen = []
    for k, what in enumerate(steps, start=1):
        folder = tmp_path / f"killed-{k}"
        copy_tree(out, folder)
        killed = kill_at(k, second, folder)
        assert killed.returncode == 137, (what, killed.stderr)
        # At the moment of the kill each of our names is its old or its new version; only the
        # one being switched may be absent, and then the journal names it.
        now = tree(folder)
        results = {k: v for k, v in now.items() if k.startswith(f"{R}/")}
        in_old = {k: v for k, v in old.items() if k.startswith(f"{R}/")}
        in_new = {k: v for k, v in new.items() if k.startswith(f"{R}/")}
        if results not in (in_old, in_new):
            assert not results and (folder / journal.JOURNAL_FILE).exists(), what
        # The next command that writes there completes the switch first, and says so.
        recorded = (folder / journal.JOURNAL_FILE).exists()
        with publish.staging(folder) as stage:
            restored = stage.restored
        state = is_old_or_new(folder, old, new)
        assert (restored is not None) == recorded and (state == "new" if recorded else True), what
        assert leftovers(folder) == [], what
        seen.append(state)
        # ... and a run after it publishes the new result completely.
        assert main(["run", "--no-pdf", "--input", str(second), "--output", str(folder)]) == 0
        assert tree(folder) == new and leftovers(folder) == []
    assert seen[0] == "old" and seen[-1] == "new"  # killed before the journal: old; after: new


def test_a_recovery_killed_at_every_step_is_completed_by_the_next(rounds, tmp_path, monkeypatch):
    _first, second, out, old, new = rounds
    probe = tmp_path / "probe"
    copy_tree(out, probe)
    steps = steps_of(second, probe, monkeypatch)
    half = steps.index("aside 结果") + 1  # the results folder moved aside, the new one not yet in
    base = tmp_path / "half"
    copy_tree(out, base)
    assert kill_at(half, second, base).returncode == 137
    assert not (base / R).exists() and (base / journal.JOURNAL_FILE).exists()
    recovery: list[str] = []
    probe = tmp_path / "probe2"
    copy_tree(base, probe)
    monkeypatch.setattr(journal, "STEP", recovery.append)
    journal.recover(probe)
    monkeypatch.setattr(journal, "STEP", None)
    assert recovery and all(s.startswith(("recover", "journal")) for s in recovery)
    for k in range(1, len(recovery) + 1):
        folder = tmp_path / f"recovery-{k}"
        copy_tree(base, folder)
        assert kill_at(k, second, folder).returncode == 137
        with publish.staging(folder):
            pass
        assert is_old_or_new(folder, old, new) == "new" and leftovers(folder) == []


def test_the_cli_says_that_it_completed_an_interrupted_publication(rounds, tmp_path, monkeypatch, capsys):
    first, second, out, _old, new = rounds
    probe = tmp_path / "probe"
    copy_tree(out, probe)
    steps = steps_of(second, probe, monkeypatch)
    assert kill_at(steps.index(f"in {R}") + 1, second, out).returncode == 137
    capsys.readouterr()
    # a run with errors also completes it first (and leaves the completed result standing)
    (first / "坏表.xlsx").write_bytes(b"not a workbook")
    assert main(["run", "--no-pdf", "--input", str(first), "--output", str(out)]) == 1
    shown = capsys.readouterr().out
    assert "上次运行在发布结果时被中断" in shown
    assert {k: v for k, v in tree(out).items() if k.startswith(f"{R}/")} == {
        k: v for k, v in new.items() if k.startswith(f"{R}/")
    }


def test_issue_also_completes_an_interrupted_switch_first(rounds, tmp_path, monkeypatch, capsys):
    """Any command that writes to a folder recovers it: here ``issue`` on a folder a killed
    ``issue`` left half-switched."""
    from helpers import write_table

    roster = write_table(tmp_path / "名单.xlsx", C.CASE_COUNTS_TEMPLATE, C.CASE_COUNTS_SHEET, [["东山镇", 1]])
    issued = tmp_path / "issued"
    assert main(["issue", str(roster), "--output", str(issued)]) == 0
    before = tree(issued)
    command = [sys.executable, "-c", KILLER, "3", "issue", str(roster), "--output", str(issued)]
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120).returncode == 137
    capsys.readouterr()
    assert main(["issue", str(roster), "--output", str(issued)]) == 0
    assert "说明：上次运行在发布结果时被中断" in capsys.readouterr().out
    assert tree(issued) == before and leftovers(issued) == []


# ---- what cannot be replaced: exit 2, the file named, nothing changed -------------------------


def sharing_violation(path) -> PermissionError:
    """What Windows raises for a file another program holds open (ERROR_SHARING_VIOLATION)."""
    error = PermissionError(errno.EACCES, "The process cannot access the file", str(path))
    error.winerror = 32
    return error


def held_open(monkeypatch, target: Path, error) -> None:
    """Opening ``target`` for writing fails as on Windows while a program holds it (simulated:
    Windows cannot run here; the error is the one Windows gives)."""
    real = os.open

    def opened(path, flags, *args, **kwargs):
        if Path(path) == target and flags & (os.O_RDWR | os.O_WRONLY):
            raise error(path)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opened)


def read_only(path) -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied", str(path))


CANNOT_REPLACE = {
    # Excel or WPS holds the workbook open: Windows refuses, and Excel's ~$ file is beside it
    "excel": (f"{R}/{C.CONSOLIDATED_FILE}", sharing_violation, "正被其他程序打开", True),
    # a PDF reader holds the notice open (no lock file of its own)
    "pdf reader": (f"{R}/{C.NOTICE_FILE}", sharing_violation, "正被其他程序打开", False),
    # a feedback page deep in the result
    "feedback page": (f"{R}/{C.FEEDBACK_DIR}/东山镇.html", sharing_violation, "正被其他程序打开", False),
    # the problem list beside the result, open in Excel
    "problem list": (C.VALIDATION_REPORT_FILE, sharing_violation, "正被其他程序打开", True),
    # marked read-only (root may write anything here, so the refusal is simulated)
    "read-only": (f"{R}/{C.CONSOLIDATED_FILE}", read_only, "只读", False),
}


@pytest.mark.parametrize(
    "relative", [f"{R}/{C.CONSOLIDATED_FILE}", f"{R}/{C.FEEDBACK_DIR}/西河镇.html", C.VALIDATION_REPORT_FILE]
)
def test_a_file_marked_read_only_is_not_replaced(relative, rounds, capsys):
    """A real read-only file (chmod), refused even by root, who could replace it."""
    _first, second, out, old, _ = rounds
    target = out / relative
    target.chmod(0o444)
    try:
        assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
        shown = capsys.readouterr().err
        assert str(target) in shown and "只读" in shown
        assert tree(out) == old and leftovers(out) == []
    finally:
        target.chmod(0o644)


@pytest.mark.parametrize("case", sorted(CANNOT_REPLACE))
def test_a_file_that_cannot_be_replaced_is_named_and_nothing_changes(case, rounds, monkeypatch, capsys):
    _first, second, out, old, _ = rounds
    relative, error, said, office_lock = CANNOT_REPLACE[case]
    target = out / relative
    if office_lock:
        (target.parent / f"~${target.name}").write_bytes(b"owner")
        old = tree(out)
    if error is read_only:
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != target)
    held_open(monkeypatch, target, error)
    inputs = tree(second)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    shown = capsys.readouterr().err
    assert str(target) in shown and said in shown and "Traceback" not in shown
    assert tree(out) == old and leftovers(out) == [] and tree(second) == inputs


def failing_replace(monkeypatch, when, error=None, times=None):
    """os.replace fails for the renames ``when`` picks (source, target) -> bool."""
    real = os.replace
    calls = {"n": 0}

    def replace(source, target, *args, **kwargs):
        if when(Path(source), Path(target)) and (times is None or calls["n"] < times):
            calls["n"] += 1
            raise (error or sharing_violation)(source)
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return calls


SWITCH_FAILURES = {
    # moving the old result aside fails: a command prompt's current folder is inside it
    "aside": lambda s, t: s.name == R and t.parent.name == journal.ASIDE,
    # moving the new result in fails after the old one was moved aside
    "in": lambda s, t: t.name == R and s.parent.name.startswith(journal.STAGING_PREFIX),
    # the problem list fails after the result was switched: both are put back
    "report": lambda s, t: t.name == C.VALIDATION_REPORT_FILE and t.parent.name == journal.ASIDE,
}


@pytest.mark.parametrize("case", sorted(SWITCH_FAILURES))
def test_a_rename_that_fails_mid_switch_puts_everything_back(case, rounds, monkeypatch, capsys):
    _first, second, out, old, _ = rounds
    failing_replace(monkeypatch, SWITCH_FAILURES[case])
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    shown = capsys.readouterr().err
    assert "原有结果未被改动" in shown and "Traceback" not in shown
    assert tree(out) == old and leftovers(out) == []


def test_a_switch_that_cannot_be_put_back_is_completed_by_the_next_run(rounds, monkeypatch, capsys):
    _first, second, out, _old, new = rounds
    # the new result cannot go in, and then the old one cannot come back
    failing_replace(monkeypatch, lambda s, t: t == out / R)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    assert "下次运行时会先完成这次发布" in capsys.readouterr().err
    monkeypatch.undo()
    assert (out / journal.JOURNAL_FILE).exists()
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 0
    assert tree(out) == new and leftovers(out) == []


def test_a_passing_sharing_violation_is_retried(rounds, monkeypatch):
    """Windows: a scanner that opens a just-written file for a moment (simulated)."""
    _first, second, out, _old, new = rounds
    monkeypatch.setattr(journal, "RETRIES", 3)
    monkeypatch.setattr(journal.time, "sleep", lambda s: None)
    calls = failing_replace(monkeypatch, lambda s, t: t == out / R, times=2)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 0
    assert calls["n"] == 2 and tree(out) == new


IN_THE_WAY = {
    "a folder named like the problem list": (C.VALIDATION_REPORT_FILE, "folder", "是一个文件夹"),
    "a file named like the results folder": (R, "file", "是一个文件"),
    "a link named like the results folder": (R, "link", "链接"),
    "a link named like the problem list": (C.VALIDATION_REPORT_FILE, "link", "链接"),
}


@pytest.mark.parametrize("case", sorted(IN_THE_WAY))
def test_something_else_in_the_place_of_an_output_is_never_replaced(case, rounds, tmp_path, capsys):
    _first, second, out, _, _ = rounds
    name, kind, said = IN_THE_WAY[case]
    target = out / name
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("the clerk's own", encoding="utf-8")
    if kind == "folder":
        target.mkdir()
        (target / "keep.txt").write_text("the clerk's own", encoding="utf-8")
    elif kind == "file":
        target.write_text("the clerk's own", encoding="utf-8")
    else:
        target.symlink_to(elsewhere)
    before, kept = tree(out), tree(elsewhere)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    shown = capsys.readouterr().err
    assert str(target) in shown and said in shown
    assert tree(out) == before and tree(elsewhere) == kept and leftovers(out) == []


def disk_full(monkeypatch, name: str, code: int = errno.ENOSPC) -> None:
    """Writing a file called ``name`` fails as on a full disk (or with ``code``)."""
    import builtins
    import io

    real = builtins.open

    def opened(file, mode="r", *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).name == name and set(mode) & set("wax+"):
            raise OSError(code, os.strerror(code), str(file))
        return real(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opened)
    monkeypatch.setattr(io, "open", opened)


WRITE_FAILURES = {
    "disk full on the workbook": (C.CONSOLIDATED_FILE, errno.ENOSPC, "磁盘空间不足"),
    "disk full on the notice": (C.NOTICE_FILE, errno.ENOSPC, "磁盘空间不足"),
    "disk full on a feedback page": ("北坪镇.html", errno.ENOSPC, "磁盘空间不足"),
    "quota on the problem list": (C.VALIDATION_REPORT_FILE, errno.EDQUOT, "配额"),
    "no permission": (C.NOTICE_FILE, errno.EACCES, "没有权限"),
    "name too long": (C.CONSOLIDATED_FILE, errno.ENAMETOOLONG, "太长"),
    "read-only disk": (C.CONSOLIDATED_FILE, errno.EROFS, "只读"),
}


@pytest.mark.parametrize("case", sorted(WRITE_FAILURES))
def test_a_write_that_fails_is_exit_2_naming_the_file_and_nothing_changes(case, rounds, monkeypatch, capsys):
    _first, second, out, old, _ = rounds
    name, code, said = WRITE_FAILURES[case]
    disk_full(monkeypatch, name, code)
    inputs = tree(second)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    shown = capsys.readouterr().err
    assert name in shown and said in shown and ".staging" not in shown and "Traceback" not in shown
    assert tree(out) == old and leftovers(out) == [] and tree(second) == inputs


def test_a_full_disk_when_recording_the_switch_changes_nothing(rounds, monkeypatch, capsys):
    _first, second, out, old, _ = rounds

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    assert "磁盘空间不足" in capsys.readouterr().err
    assert tree(out) == old and leftovers(out) == []


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_an_output_folder_that_cannot_take_a_staging_folder_is_exit_2(code, rounds, monkeypatch, capsys):
    import tempfile

    _first, second, out, old, _ = rounds

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(out))

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    assert str(out) in capsys.readouterr().err and tree(out) == old


def test_an_output_path_too_long_for_the_file_system_is_exit_2(make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {}})
    long = tmp_path / ("输出" * 50)  # 300 bytes: over every file system's 255 per name
    assert main(["run", "--no-pdf", "--input", str(folder), "--output", str(long / "out")]) == 2
    assert "太长" in capsys.readouterr().err


def test_a_run_with_errors_replaces_only_the_problem_list(rounds, capsys):
    _first, second, out, old, _ = rounds
    (second / "坏表.xlsx").write_bytes(b"not a workbook")
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 1
    now = tree(out)
    assert {k: v for k, v in now.items() if k != C.VALIDATION_REPORT_FILE} == {
        k: v for k, v in old.items() if k != C.VALIDATION_REPORT_FILE
    }
    assert now[C.VALIDATION_REPORT_FILE] != old[C.VALIDATION_REPORT_FILE]


def test_a_published_result_removes_the_outputs_of_older_versions(rounds):
    _first, second, out, _old, new = rounds
    for name in (C.CONSOLIDATED_FILE, C.NOTICE_PDF_FILE, C.ITEM_SCORES_CSV, C.DEDUCTIONS_CSV):
        (out / name).write_bytes(b"old layout")
    (out / C.FEEDBACK_DIR).mkdir()
    (out / C.FEEDBACK_DIR / "东山镇.html").write_text("old", encoding="utf-8")
    (out / "办事员的笔记.txt").write_text("not ours", encoding="utf-8")
    assert run(second, out, pdf=False).published
    assert tree(out) == {**new, "办事员的笔记.txt": tree(out)["办事员的笔记.txt"]}


# ---- the lock, the journal and the staging folders are never followed through links -----------


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(rounds, tmp_path, capsys):
    _first, second, out, old, _ = rounds
    precious = tmp_path / "precious.txt"
    precious.write_text("keep", encoding="utf-8")
    (out / publish.LOCK_FILE).unlink()
    (out / publish.LOCK_FILE).symlink_to(precious)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    assert publish.LOCK_FILE in capsys.readouterr().err
    assert precious.read_text(encoding="utf-8") == "keep" and tree(out) == old


def test_leftovers_that_are_links_are_removed_without_following_them(rounds, tmp_path):
    _first, second, out, _, new = rounds
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep", encoding="utf-8")
    (out / ".staging-x").symlink_to(elsewhere)
    (out / ".old-feedback-y").symlink_to(elsewhere)
    assert run(second, out, pdf=False).published
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert tree(out) == new and leftovers(out) == []


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"staging": "../../etc", "names": ["x"]}',
        b'{"staging": ".staging-a", "names": ["../x"]}',
    ],
)
def test_a_journal_that_cannot_be_trusted_stops_the_run(content, rounds, capsys):
    _first, second, out, old, _ = rounds
    (out / journal.JOURNAL_FILE).write_bytes(content)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    assert journal.JOURNAL_FILE in capsys.readouterr().err
    assert tree(out) == old


@pytest.mark.parametrize(
    "placed",
    [
        f"{R}/领导批示.pdf",
        f"{R}/{C.FEEDBACK_DIR}/东山镇.docx",
        f"{R}/备份/consolidated.xlsx",
        f"{C.FEEDBACK_DIR}/说明.txt",
    ],
)
def test_a_file_of_the_clerks_inside_a_result_folder_is_never_replaced(placed, rounds, capsys):
    """A result folder is replaced as a whole: one holding a file that is not ours (a signed
    scan put beside the notice) is not replaced, and the clerk is told which file it is."""
    _first, second, out, _, _ = rounds
    target = out / placed
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"the clerk's own")
    before = tree(out)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 2
    shown = capsys.readouterr().err
    assert str(target) in shown and "不是本程序生成的文件" in shown
    assert tree(out) == before and leftovers(out) == []


def test_what_windows_and_office_leave_in_a_result_folder_is_replaced_with_it(rounds):
    _first, second, out, _, new = rounds
    (out / R / "desktop.ini").write_text("[.ShellClassInfo]", encoding="utf-8")
    (out / R / f"~${C.CONSOLIDATED_FILE}").write_bytes(b"a stale lock of a closed Excel")
    (out / R / C.FEEDBACK_DIR / "Thumbs.db").write_bytes(b"x")
    assert run(second, out, pdf=False).published
    assert tree(out) == new


def test_without_a_system_wide_sync_every_staged_file_is_flushed(rounds, monkeypatch):
    """Windows has no os.sync: each staged file is flushed before the journal (simulated here by
    taking os.sync away)."""
    _first, second, out, _, new = rounds
    flushed = []
    real = os.fsync
    monkeypatch.delattr(os, "sync")
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real(fd)))
    assert run(second, out, pdf=False).published
    assert len(flushed) >= len(new) and tree(out) == new


def test_a_windows_path_past_260_characters_is_said_to_be_too_long():
    """Where long paths are off, Windows reports such a path as not found (simulated)."""
    from processor.oserrors import reason

    error = FileNotFoundError(
        errno.ENOENT, "The system cannot find the path specified", "C:\\" + "输出\\" * 90
    )
    error.winerror = 3
    assert "太长" in reason(error)[0]
    error = FileNotFoundError(errno.ENOENT, "The system cannot find the path specified", "C:\\短")
    error.winerror = 3
    assert "找不到" in reason(error)[0]


def test_ctrl_c_during_the_switch_neither_stops_it_nor_hides_that_it_published(rounds, monkeypatch, capsys):
    import signal

    _first, second, out, _, new = rounds

    def interrupt(what):
        if what.startswith("aside"):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, twice, in the middle of the switch

    monkeypatch.setattr(journal, "STEP", interrupt)
    assert main(["run", "--no-pdf", "--input", str(second), "--output", str(out)]) == 0
    assert "结果已发布" in capsys.readouterr().out
    assert tree(out) == new and leftovers(out) == []
