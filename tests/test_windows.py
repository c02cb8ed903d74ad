"""The clerk's Windows PC, as far as Linux can stand in for it: the double-click launcher says what
the CLI understands, the PDF is made by Chrome, Edge or Chromium found where Windows and macOS
install them (fake executables: scripts standing in for the browsers), and the browser's whole
process tree is stopped without POSIX process groups where there are none."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

from processor import constants as C
from processor.cli import build_parser, chinese_argparse, main
from processor.outputs import pdf
from processor.outputs.pdf import Browser, find_browser, html_to_pdf

sys.path.insert(0, str(ROOT))
from scripts import bundle

# A stand-in for a Chromium-based browser: writes a small PDF where --print-to-pdf says, starts a
# helper process that would outlive it (as Chrome's do), records the helper's pid, and exits.
FAKE_BROWSER = """#!{python}
import subprocess, sys, pathlib
args = sys.argv[1:]
target = next(a.split("=", 1)[1] for a in args if a.startswith("--print-to-pdf="))
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path(target).with_suffix(".helper").write_text(str(helper.pid))
pathlib.Path(target).write_bytes(b"%PDF-1.4\\n/CreationDate (D:20261201120000+08'00')\\n%%EOF\\n")
pathlib.Path(target).with_suffix(".args").write_text("\\n".join(args), encoding="utf-8")
"""


def fake_browser(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_BROWSER.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_the_launcher_runs_the_clis_own_command_on_the_folder_beside_it():
    text = bundle.launcher_text()
    assert (
        text.encode("gbk").decode("gbk") == text and "\r\n" in text and "\n" not in text.replace("\r\n", "")
    )
    beside = "C:\\评定\\"
    args = [a.replace("%~dp0", beside).strip('"') for a in bundle.LAUNCHER_ARGS]
    with chinese_argparse():
        parsed = build_parser().parse_args(args)
    assert parsed.command == "run"
    assert str(parsed.input) == "C:\\评定\\input" and str(parsed.output) == "C:\\评定\\output"
    command = next(line for line in text.splitlines() if line.startswith("%PROCESSOR%"))
    assert command == "%PROCESSOR% " + " ".join(bundle.LAUNCHER_ARGS)
    assert "pause" in text.splitlines()  # the window stays open with the result
    assert "py -m processor" in text and "python -m processor" in text


def test_the_install_script_installs_from_the_bundle_alone():
    text = bundle.install_bat()
    assert text.encode("gbk") and '--no-index --find-links "%~dp0wheels"' in text


@pytest.mark.parametrize(
    ("root", "parts", "name"),
    [
        ("ProgramFiles", ("Google", "Chrome", "Application", "chrome.exe"), "Google Chrome"),
        ("ProgramFiles(x86)", ("Google", "Chrome", "Application", "chrome.exe"), "Google Chrome"),
        ("LocalAppData", ("Google", "Chrome", "Application", "chrome.exe"), "Google Chrome"),
        ("ProgramFiles(x86)", ("Microsoft", "Edge", "Application", "msedge.exe"), "Microsoft Edge"),
        ("ProgramFiles", ("Microsoft", "Edge", "Application", "msedge.exe"), "Microsoft Edge"),
        ("LocalAppData", ("Chromium", "Application", "chrome.exe"), "Chromium"),
    ],
)
def test_a_windows_browser_is_found_where_it_installs(tmp_path, root, parts, name):
    environ = {"PATH": str(tmp_path / "empty"), root: str(tmp_path / root)}
    exe = fake_browser(tmp_path / root / Path(*parts))
    assert find_browser(environ, "win32") == Browser(name, str(exe))


def test_on_windows_chrome_comes_before_edge_and_path_before_both(tmp_path):
    environ = {"PATH": str(tmp_path / "bin"), "ProgramFiles(x86)": str(tmp_path / "x86")}
    fake_browser(tmp_path / "x86" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    chrome = fake_browser(tmp_path / "x86" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert find_browser(environ, "win32") == Browser("Google Chrome", str(chrome))
    on_path = fake_browser(tmp_path / "bin" / "chromium")
    assert find_browser(environ, "win32") == Browser("Chromium", str(on_path))


def test_nothing_found_is_none_not_an_error(tmp_path):
    assert find_browser({"PATH": str(tmp_path)}, "win32") is None
    assert find_browser({"PATH": str(tmp_path), "HOME": str(tmp_path)}, "darwin") is None


@pytest.mark.parametrize(
    ("bundle_path", "name"),
    [
        ("Google Chrome.app/Contents/MacOS/Google Chrome", "Google Chrome"),
        ("Microsoft Edge.app/Contents/MacOS/Microsoft Edge", "Microsoft Edge"),
        ("Chromium.app/Contents/MacOS/Chromium", "Chromium"),
    ],
)
def test_a_mac_browser_is_found_in_the_users_applications(tmp_path, bundle_path, name):
    exe = fake_browser(tmp_path / "Applications" / bundle_path)
    found = find_browser({"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)}, "darwin")
    assert found == Browser(name, str(exe))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of ours counts as stopped
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def test_a_stand_in_browser_prints_the_pdf_and_its_helpers_are_stopped(tmp_path):
    exe = fake_browser(tmp_path / "Program Files" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    html = tmp_path / "notice.html"
    html.write_text("<p>通报</p>", encoding="utf-8")
    target = tmp_path / "notice.pdf"
    html_to_pdf(html, target, dt.date(2022, 8, 31), Browser("Microsoft Edge", str(exe)))
    assert target.read_bytes().startswith(b"%PDF") and b"D:20220831000000" in target.read_bytes()
    args = target.with_suffix(".args").read_text(encoding="utf-8").splitlines()
    assert "--headless" in args and args[-1] == html.resolve().as_uri()
    helper = int(target.with_suffix(".helper").read_text())
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(helper), "the browser's helper process outlived the print"


def test_on_windows_the_tree_is_stopped_with_taskkill(monkeypatch):
    calls = []

    class Process:
        pid = 4242

        def kill(self):
            calls.append("kill")

        def wait(self):
            calls.append("wait")

    monkeypatch.setattr(pdf.os, "name", "nt")
    monkeypatch.setattr(pdf.subprocess, "run", lambda command, **kwargs: calls.append(command))
    monkeypatch.setattr(pdf.os, "killpg", None, raising=False)  # Windows has none
    pdf.stop_tree(Process())
    assert calls[0] == ["taskkill", "/F", "/T", "/PID", "4242"] and calls[-1] == "wait"


@pytest.mark.pdf
def test_the_console_says_which_browser_made_the_pdf(make_round, tmp_path, monkeypatch, capsys):
    folder = make_round({"东山镇": {}})
    exe = fake_browser(tmp_path / "bin" / "msedge")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(pdf, "ON_PATH", (("msedge", "Microsoft Edge"),))
    assert main(["run", "--input", str(folder), "--output", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "PDF文件notice.pdf由Microsoft Edge生成" in out and str(exe) in out
    assert (tmp_path / "out" / C.RESULTS_DIR / "notice.pdf").read_bytes().startswith(b"%PDF")


def test_a_junction_is_looked_up_through_it_as_os_stat_does(monkeypatch, tmp_path):
    """On Windows the listing describes a junction itself (a folder, whatever it points at), and
    ``is_symlink`` says no: the entry is looked up by its path, so a junction whose target is gone
    is named as such, as before."""
    import stat
    from types import SimpleNamespace

    from processor.inputs import folder

    target = tmp_path / "elsewhere"

    class Junction:  # what os.scandir gives on Windows
        path = str(target)

        def is_symlink(self) -> bool:
            return False

        def stat(self, follow_symlinks: bool = True):
            attributes = stat.FILE_ATTRIBUTE_REPARSE_POINT | stat.FILE_ATTRIBUTE_DIRECTORY
            return SimpleNamespace(st_mode=stat.S_IFDIR | 0o755, st_file_attributes=attributes)

    monkeypatch.setattr(folder, "WINDOWS", True)
    assert folder._kind(Junction()) == "已不存在的文件"
    target.mkdir()
    assert folder._kind(Junction()) == "folder"
    target.rmdir()
    target.write_bytes(b"x")
    assert folder._kind(Junction()) == "file"
