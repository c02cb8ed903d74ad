"""What the clerk reads on the console: Chinese everywhere (argparse's own texts included), and
printing that never breaks the run, whatever the console's encoding (a Windows pipe or redirect
is GBK) and whatever the input's names hold (an emoji, an ESC that would start a terminal
sequence)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import openpyxl
import pytest
from helpers import ROOT

from processor.cli import build_parser, printable

ENGLISH = re.compile(
    r"usage:|positional arguments|optional arguments|options:|show this help|show program|"
    r"unrecognized|invalid choice|required:|error:|expected one argument",
    re.IGNORECASE,
)
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def processor(*args, encoding="utf-8", cwd=ROOT):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run([sys.executable, "-m", "processor", *args], capture_output=True, cwd=cwd, env=env)
    return result.returncode, result.stdout.decode(encoding), result.stderr.decode(encoding)


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_every_help_is_chinese(command):
    code, out, _ = processor(*command, "--help")
    assert code == 0 and "用法：" in out and "显示本帮助并退出" in out
    assert not ENGLISH.search(out), ENGLISH.search(out)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--no-such-option"], "无法识别的参数"),
        (["no-such-command"], "无效的选择"),
        (["issue"], "缺少必需的参数"),
        (["run", "--input"], "需要一个值"),
        (["--bogus"], "无法识别的参数"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(args, says):
    code, _, err = processor(*args)
    assert code == 2 and says in err and "用法：" in err
    assert not ENGLISH.search(err), err


def test_the_version(tmp_path):
    code, out, _ = processor("--version")
    assert code == 0 and re.fullmatch(r"processor \d+\.\d+\.\d+\s*", out)


@pytest.fixture
def odd_round(make_round):
    """A round whose names and cells hold what a GBK console cannot show or must not obey: an
    emoji in a file name and in a township's name, "✓" as a score, an ESC sequence in a file
    name."""
    folder = make_round({"东山镇": {"1.1": "✓"}, "红岩镇😀": {"1.2": 9}, "西河镇": {"1.3": -1}})
    (folder / "000.xlsx").rename(folder / "东山镇😀.xlsx")
    (folder / "002.xlsx").rename(folder / "\x1b[31m西河镇.xlsx")
    return folder


@pytest.mark.parametrize("encoding", ["gbk", "cp936"])
@pytest.mark.parametrize("command", ["check", "run"])
def test_a_gbk_console_never_breaks_the_run(odd_round, tmp_path, encoding, command):
    args = (
        [str(odd_round)]
        if command == "check"
        else ["--input", str(odd_round), "--output", str(tmp_path / "o")]
    )
    code, out, err = processor(command, *args, encoding=encoding)
    assert code == 1, out + err  # the data has errors: not 3, no traceback
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert "东山镇?.xlsx" in out and "1.1" in out  # what GBK cannot show is replaced
    assert "\x1b" not in out + err and "\\x1b[31m西河镇.xlsx" in out
    if command == "run":  # the report files are complete, with the characters as they were
        report = openpyxl.load_workbook(tmp_path / "o" / "validation_report.xlsx")["问题清单"]
        values = [row[5] for row in report.iter_rows(min_row=2, values_only=True)]
        assert "✓" in values


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("东山镇", "东山镇"),
        ("\x1b[2J红岩镇", "\\x1b[2J红岩镇"),
        ("a\rb", "a\\x0db"),
        ("东\u202e镇", "东\\u202e镇"),
        ("东\u2028镇", "东\\u2028镇"),
        ("零\u200b宽", "零\u200b宽"),  # invisible but harmless to a terminal: kept
    ],
)
def test_control_characters_from_the_input_are_never_printed_raw(text, shown):
    assert printable(text) == shown
