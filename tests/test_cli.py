"""The thin command line: help everywhere, truthful exit codes, the README names every command."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from processor.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def processor(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "processor", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_help_on_every_command(command):
    result = processor(*command, "--help")
    assert result.returncode == 0 and "用法：" in result.stdout and "usage" not in result.stdout.lower()


def test_wrong_usage_exits_2():
    assert processor("run", "--no-such-option").returncode == 2
    assert processor().returncode == 2
    assert processor("check", "/no/such/folder").returncode == 2


def test_check_one_file_and_a_folder(make_sheet, tmp_path, capsys):
    good = make_sheet("东山镇")
    bad = make_sheet("西河镇", scores={"1.1": 7})
    assert main(["check", str(good)]) == 0
    assert main(["check", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "G5" in out and "1.1" in out and "超过该项分值3分" in out


def test_run_prints_the_problems_and_exits_1_without_publishing(make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {"1.1": -1}})
    assert main(["run", "--input", str(folder), "--output", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "SCORE_NEGATIVE" not in out and "小于0" in out and "未发布结果" in out
    assert not (tmp_path / "out" / "结果").exists()


def test_an_internal_error_is_logged_not_shown(make_round, tmp_path, capsys, monkeypatch):
    folder = make_round({"东山镇": {}})

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("processor.results.scoring.case_points", broken)
    out = tmp_path / "out"
    assert main(["run", "--input", str(folder), "--output", str(out)]) == 3
    err = capsys.readouterr().err
    assert "程序内部错误" in err and "Traceback" not in err
    assert "RuntimeError: boom" in (out / "error.log").read_text(encoding="utf-8")


def test_a_crash_on_one_sheet_is_reported_with_its_file_and_the_rest_still_checked(
    make_round, tmp_path, monkeypatch
):
    from processor.inputs import round as collect

    folder = make_round({"东山镇": {}, "西河镇": {"1.1": 9}})
    real = collect.read_score_sheet

    def flaky(data, file, rubric):
        if file == "000.xlsx":
            raise ZeroDivisionError("bug")
        return real(data, file, rubric)

    monkeypatch.setattr(collect, "read_score_sheet", flaky)
    out = tmp_path / "out"
    assert main(["run", "--input", str(folder), "--output", str(out)]) == 1
    from processor.rules.rubric import load_rubric

    found = {(p.code.name, p.file) for p in collect.collect(folder, load_rubric()).problems}
    assert ("INTERNAL_ERROR", "000.xlsx") in found and ("SCORE_ABOVE_MAX", "001.xlsx") in found
    assert "ZeroDivisionError" in (out / "error.log").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands_and_every_cli_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    for command in COMMANDS:
        assert re.search(rf"processor {command}\b", readme), command


def test_ci_runs_the_readmes_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_has_the_documented_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "check", "template", "example"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_no_pdf_skips_the_browser_and_removes_an_old_pdf(make_round, tmp_path, capsys):
    folder = make_round({"东山镇": {}})
    out = tmp_path / "out"
    out.mkdir()
    (out / "结果").mkdir()
    (out / "结果" / "notice.pdf").write_bytes(b"%PDF old")
    assert main(["run", "--no-pdf", "--input", str(folder), "--output", str(out)]) == 0
    assert (out / "结果" / "notice.html").exists() and not (out / "结果" / "notice.pdf").exists()
