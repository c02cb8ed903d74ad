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
