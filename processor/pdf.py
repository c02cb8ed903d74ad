"""notice.html -> notice.pdf with headless Chromium, when it is installed.

Chromium is launched directly (no browser-driver library, no download). A PDF is a convenience
next to the HTML: every failure here becomes a reason in words for the clerk, never an exception
that could lose the HTML or the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120

# Without the networking switches Chromium waits for the network on a closed machine. The
# sandbox is off because Chromium refuses to start as root (CI, containers) with it; what it
# renders is our own autoescaped HTML with no script and no network access.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


class PdfError(Exception):
    """The PDF was not made; the message says why, in Chinese, for the clerk."""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium(args: list[str], timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """Run Chromium headless with a fresh profile; the whole process group is killed on timeout."""
    binary = find_chromium()
    if binary is None:
        raise PdfError("未找到 Chromium 浏览器")
    with tempfile.TemporaryDirectory(prefix="processor-chromium-") as profile:
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(process)
            raise PdfError(f"Chromium 在 {int(timeout)} 秒内没有完成") from exc
        finally:
            _kill_group(process)  # helpers Chromium left behind
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def html_to_pdf(html: Path, pdf: Path, when: dt.date, timeout: float = TIMEOUT_SECONDS) -> None:
    """Print ``html`` to ``pdf`` (A4 and margins come from the page's own CSS ``@page``)."""
    try:
        result = chromium(
            [f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()], timeout
        )
    except OSError as exc:
        raise PdfError(f"Chromium 无法启动（{exc.strerror or exc}）") from exc
    if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise PdfError(f"Chromium 没有生成 PDF（退出码 {result.returncode}）{detail[0][:200]}")
    pdf.write_bytes(fixed_dates(pdf.read_bytes(), when))


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def fixed_dates(data: bytes, when: dt.date) -> bytes:
    """Chromium stamps the time of printing; the document's own date makes the bytes repeatable.

    Each date is replaced by one of the same length, so the cross-reference offsets stay valid.
    """
    stamp = when.strftime("%Y%m%d000000").encode()

    def replace(match: re.Match) -> bytes:
        zone = b"+00'00'" if len(match.group(3)) == 7 else match.group(3)  # Chromium writes +HH'MM'
        return b"/" + match.group(1) + b" (D:" + stamp + zone + b")"

    return _PDF_DATE.sub(replace, data)
