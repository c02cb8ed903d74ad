"""No start method is assumed: Windows and macOS spawn worker processes (they import the package
afresh) where Linux forks. PROCESSOR_START_METHOD=spawn forces the spawn path here, and the
outputs are the same bytes either way; the batch's own tests pass again under spawn."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from processor import constants as C
from processor import processes
from processor.batch import check, run
from processor.inputs import round as rounds


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_start_method_can_be_forced(monkeypatch, method):
    monkeypatch.setenv(processes.START_METHOD_ENV, method)
    assert processes.start_method() == method
    assert processes.can_fork() is (method == "fork")


def test_without_fork_the_system_spawns(monkeypatch):
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(processes.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert processes.start_method() == "spawn" and not processes.can_fork()


@pytest.mark.parametrize("large", [False, True], ids=["county", "national"])
def test_fork_and_spawn_give_the_same_bytes(make_round, tmp_path, monkeypatch, large):
    """Worker processes read the sheets (from 2 sheets here), and a national round writes its
    workbook in a forked child on Linux: spawned workers and no child must change nothing."""
    monkeypatch.setattr(rounds, "PARALLEL_FROM", 2)
    if large:
        monkeypatch.setattr(C, "LARGE_ROUND", 3)
    scores = {f"乡{n:02d}": {"1.1": 2, "3.6": 4.5} for n in range(6)}
    remarks = {t: {"1.1": "少一处", "3.6": "一件未调用"} for t in scores}
    folder = make_round({**scores, "错镇": {"1.2": 7}}, remarks=remarks)
    found = {}
    for method in ("fork", "spawn"):
        monkeypatch.setenv(processes.START_METHOD_ENV, method)
        outcome = run(folder, tmp_path / method, pdf=False)
        assert outcome.exit_code == 1  # 错镇's score is above its maximum: the report only
        checked = check([folder])
        found[method] = (
            hashes(tmp_path / method),
            [(p.code, p.file, p.cell) for p in outcome.round.problems],
            [(p.code, p.file, p.cell) for p in checked.round.problems],
        )
    assert found["fork"] == found["spawn"]
    (folder / "006.xlsx").unlink()  # without 错镇 the round publishes
    published = {}
    for method in ("fork", "spawn"):
        monkeypatch.setenv(processes.START_METHOD_ENV, method)
        assert run(folder, tmp_path / f"ok-{method}", pdf=False).exit_code == 0
        published[method] = hashes(tmp_path / f"ok-{method}")
    assert published["fork"] == published["spawn"]
    assert (f"{C.RESULTS_DIR}/{C.ITEM_SCORES_CSV}" in published["spawn"]) is large


def test_the_batch_tests_pass_with_spawn_forced():
    """The batch, check and national-scale tests once more, in a process where every worker is
    spawned and no output is written in a forked child."""
    env = {**os.environ, processes.START_METHOD_ENV: "spawn"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_batch.py",
            "tests/test_hostile_batch.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_case_counts_are_parsed_while_the_workers_read_and_read_the_same(make_round, monkeypatch):
    """A large round's case-count table is parsed in the parent while worker processes read the
    sheets, once; the round is what the same folder gives read in turn."""
    from processor.inputs import crosscheck

    folder = make_round(
        {"东山镇": {}, "西河镇": {"1.1": 2}, "南岭乡": {}},
        counts={"东山镇": 90, "西河": 80, "城关派出所": 70},
    )
    events = []
    real, merge = crosscheck.read_case_counts, rounds._merge
    monkeypatch.setattr(crosscheck, "read_case_counts", lambda *a: events.append(a[1]) or real(*a))
    monkeypatch.setattr(rounds, "_merge", lambda *a: events.append("sheets read") or merge(*a))
    in_turn = check([folder]).round
    assert events == ["sheets read", C.CASE_COUNTS_FILE]  # below PARALLEL_FROM no workers: in turn
    monkeypatch.setattr(rounds, "PARALLEL_FROM", 2)
    monkeypatch.setattr(processes.os, "cpu_count", lambda: 2)  # workers even on a one-core machine
    events.clear()
    ahead = check([folder]).round
    assert events == [C.CASE_COUNTS_FILE, "sheets read"]  # while the workers read, and not again
    assert ahead.case_counts == in_turn.case_counts and ahead.unit_of == in_turn.unit_of
    assert [(p.code, p.cell, p.value) for p in ahead.problems] == [
        (p.code, p.cell, p.value) for p in in_turn.problems
    ]
    assert [f.name for f in ahead.files] == [f.name for f in in_turn.files]


def test_a_case_count_table_changed_after_its_parse_ahead_is_read_as_it_is_then(make_round, tmp_path):
    from helpers import write_case_counts

    from processor.inputs.crosscheck import Ahead
    from processor.inputs.tables import read_case_counts

    folder = make_round({"东山镇": {}})
    table = folder / C.CASE_COUNTS_FILE
    ahead = Ahead()
    ahead.case_counts(table)
    write_case_counts(folder, {"东山镇": 12})  # saved again by the clerk while the sheets were read
    data = table.read_bytes()
    counts, _ = ahead.case_counts_of(data, C.CASE_COUNTS_FILE)
    assert (
        [c.count for c in counts] == [12] == [c.count for c in read_case_counts(data, C.CASE_COUNTS_FILE)[0]]
    )
    nowhere = Ahead()
    nowhere.case_counts(tmp_path / "gone.xlsx")  # nothing to parse ahead: said when it is read in turn
    assert [c.count for c in nowhere.case_counts_of(data, C.CASE_COUNTS_FILE)[0]] == [12]
