"""notice.html -> notice.pdf with the machine's own Chromium-based browser, when it has one.

The browser is launched directly (no browser-driver library, no download): Chromium, Google
Chrome or Microsoft Edge (on every Windows 10/11 PC), found on PATH and in their standard install
locations. A PDF is a convenience next to the HTML: every failure here becomes a reason in words
for the clerk, never an exception that could lose the HTML or the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_SECONDS = 120

# Names on PATH, best first, with the name the clerk is told.
ON_PATH = (
    ("chromium", "Chromium"),
    ("chromium-browser", "Chromium"),
    ("google-chrome", "Google Chrome"),
    ("google-chrome-stable", "Google Chrome"),
    ("chrome", "Google Chrome"),
    ("msedge", "Microsoft Edge"),
    ("microsoft-edge", "Microsoft Edge"),
    ("microsoft-edge-stable", "Microsoft Edge"),
)
# Windows: below %ProgramFiles%, %ProgramFiles(x86)%, %ProgramW6432% and the user's %LocalAppData%.
WINDOWS_ROOTS = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "LocalAppData")
WINDOWS_PLACES = (
    (("Google", "Chrome", "Application", "chrome.exe"), "Google Chrome"),
    (("Chromium", "Application", "chrome.exe"), "Chromium"),
    (("Microsoft", "Edge", "Application", "msedge.exe"), "Microsoft Edge"),
)
# macOS: application bundles in /Applications and ~/Applications.
MAC_PLACES = (
    ("Google Chrome.app/Contents/MacOS/Google Chrome", "Google Chrome"),
    ("Chromium.app/Contents/MacOS/Chromium", "Chromium"),
    ("Microsoft Edge.app/Contents/MacOS/Microsoft Edge", "Microsoft Edge"),
)

# Without the networking switches Chromium waits for the network on a closed machine. The
# sandbox is off because Chromium refuses to start as root (CI, containers) with it; what it
# renders is our own autoescaped HTML with no script and no network access.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


class PdfError(Exception):
    """The PDF was not made; the message says why, in Chinese, for the clerk."""


@dataclass(frozen=True)
class Browser:
    name: str  # as the clerk knows it: Chromium, Google Chrome, Microsoft Edge
    path: str


def find_browser(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Browser | None:
    """The first browser found on PATH, then in the standard places of ``platform`` (this
    system's by default; the tests name another, with an environment of their own)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    search = environ.get("PATH", "")
    for command, name in ON_PATH:
        found = shutil.which(command, path=search)
        if found:
            return Browser(name, found)
    for path, name in _places(environ, platform):
        if path.is_file() and (platform == "win32" or os.access(path, os.X_OK)):
            return Browser(name, str(path))
    return None


def _places(environ: Mapping[str, str], platform: str):
    if platform == "win32":
        for root in WINDOWS_ROOTS:
            base = environ.get(root)
            if base:
                for parts, name in WINDOWS_PLACES:
                    yield Path(base, *parts), name
    elif platform == "darwin":
        for base in (Path("/Applications"), Path(environ.get("HOME", "~")).expanduser() / "Applications"):
            for bundle, name in MAC_PLACES:
                yield base / bundle, name


def run_browser(
    browser: Browser, args: list[str], timeout: float = TIMEOUT_SECONDS
) -> subprocess.CompletedProcess:
    """Run the browser headless with a fresh profile; its whole process tree is stopped when it
    is done or times out. Its output goes to files, not pipes, and the wait is for the browser
    itself: a helper it leaves running would hold a pipe open and stall a read to the end."""
    with tempfile.TemporaryDirectory(prefix="processor-browser-", ignore_cleanup_errors=True) as work:
        profile, out_path, err_path = Path(work, "profile"), Path(work, "stdout"), Path(work, "stderr")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [browser.path, *FLAGS, f"--user-data-dir={profile}", *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                **_own_group(),
            )
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                stop_tree(process)
                raise PdfError(f"{browser.name} 在 {int(timeout)} 秒内没有完成") from exc
            finally:
                stop_tree(process)
        return subprocess.CompletedProcess(
            process.args, process.returncode, out_path.read_bytes(), err_path.read_bytes()
        )


def _own_group() -> dict:
    """The browser in a process group of its own, so that its helpers can be stopped with it."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def stop_tree(process: subprocess.Popen) -> None:
    """Stop the process and every process it started: its session's process group on POSIX,
    ``taskkill /T`` (the tree) on Windows, which has no process groups to signal."""
    if os.name == "nt":  # even after the main process ended: its helpers may outlive it
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    process.wait()


def html_to_pdf(
    html: Path, pdf: Path, when: dt.date, browser: Browser, timeout: float = TIMEOUT_SECONDS
) -> None:
    """Print ``html`` to ``pdf`` (A4 and margins come from the page's own CSS ``@page``)."""
    try:
        result = run_browser(
            browser,
            [
                f"--print-to-pdf={pdf}",
                "--no-pdf-header-footer",
                "--print-to-pdf-no-header",  # the same, for browsers older than 2023
                html.resolve().as_uri(),
            ],
            timeout,
        )
    except OSError as exc:
        raise PdfError(f"{browser.name} 无法启动（{exc.strerror or exc}）") from exc
    if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise PdfError(f"{browser.name} 没有生成 PDF（退出码 {result.returncode}）{detail[0][:200]}")
    pdf.write_bytes(fixed_dates(pdf.read_bytes(), when))


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def fixed_dates(data: bytes, when: dt.date) -> bytes:
    """The browser stamps the time of printing; the document's own date makes the bytes repeatable.

    Each date is replaced by one of the same length, so the cross-reference offsets stay valid.
    """
    stamp = when.strftime("%Y%m%d000000").encode()

    def replace(match: re.Match) -> bytes:
        zone = b"+00'00'" if len(match.group(3)) == 7 else match.group(3)  # Chromium writes +HH'MM'
        return b"/" + match.group(1) + b" (D:" + stamp + zone + b")"

    return _PDF_DATE.sub(replace, data)
