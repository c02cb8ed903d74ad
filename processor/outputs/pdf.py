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

from ..problems import Code, Problem, problem

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


def make_pdf(html: Path, pdf: Path, when: dt.date, even: bool = True) -> Problem:
    """Print a document to PDF: a note saying which browser made it, or why none was made (the
    HTML stays either way). ``even``: a document with a 版记 page, printed two-sided."""
    named = dict(file=pdf.name, document=pdf.name)
    browser = find_browser()
    if browser is None:
        return problem(Code.PDF_NOT_MADE, value="本机未找到Chromium、Chrome或Edge浏览器", **named)
    try:
        html_to_pdf(html, pdf, when, browser, even=even)
    except PdfError as exc:
        pdf.unlink(missing_ok=True)
        return problem(Code.PDF_NOT_MADE, value=str(exc), **named)
    except Exception:  # a PDF is a convenience: no failure of it may lose the HTML
        pdf.unlink(missing_ok=True)
        return problem(Code.PDF_NOT_MADE, value="生成PDF时程序出错", **named)
    return problem(Code.PDF_MADE, browser=browser.name, path=browser.path, **named)


def html_to_pdf(
    html: Path,
    pdf: Path,
    when: dt.date,
    browser: Browser,
    timeout: float = TIMEOUT_SECONDS,
    even: bool = True,
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
    data = fixed_dates(pdf.read_bytes(), when)
    pdf.write_bytes(with_even_pages(data) if even else data)


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


def with_even_pages(data: bytes) -> bytes:
    """The notice with an even number of pages: where it has an odd number, a blank page goes
    before the last one, so that the 版记 (the last page, alone) prints on the back of a sheet in
    two-sided printing (GB/T 9704-2012 §7.5; the blank page and the 版记 page carry no number).
    Chromium does not insert the blank page ``break-before: left`` asks for.

    An incremental update, as the PDF format provides for changes: the blank page object and the
    page-tree nodes above it are appended with a cross-reference section of their own; nothing
    before is rewritten. A file not laid out as Chromium writes it is returned unchanged."""
    try:
        pdf = _Objects(data)
        pages, parents = pdf.page_tree()
        if len(pages) % 2 == 0:
            return data
        last = pages[-1]
        parent = parents[last]
        blank = pdf.size
        box = _MEDIA_BOX.search(pdf.body(last))
        changed = {
            blank: b"<</Type /Page\n/Parent %d 0 R\n/MediaBox %s\n/Resources <<>>>>"
            % (parent, box.group(0)[len(b"/MediaBox ") :])
        }
        body = pdf.body(parent)
        kids = _KIDS.search(body)
        refs = _REF.findall(kids.group(1))
        at = refs.index(b"%d" % last)
        refs.insert(at, b"%d" % blank)
        kids_text = b"/Kids [" + b" ".join(b"%s 0 R" % r for r in refs) + b"]"
        changed[parent] = body[: kids.start()] + kids_text + body[kids.end() :]
        node = parent
        while node is not None:  # every node above the blank page counts one page more
            text = changed.get(node, pdf.body(node))
            count = _COUNT.search(text)
            changed[node] = text[: count.start(1)] + b"%d" % (int(count.group(1)) + 1) + text[count.end(1) :]
            node = parents.get(node)
        return pdf.updated(changed, size=blank + 1)
    except (ValueError, KeyError, IndexError, AttributeError):
        return data


_REF = re.compile(rb"(\d+) 0 R")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[[^\]]*\]")
_TYPE = re.compile(rb"/Type\s*/(Pages|Page)\b")


class _Objects:
    """The objects of a PDF with a classic cross-reference table, as Chromium (Skia) writes it."""

    def __init__(self, data: bytes):
        self.data = data
        start = data.rindex(b"startxref")
        self.xref = int(data[start + 9 :].split()[0])
        trailer = data[data.index(b"trailer", self.xref) : start]
        self.size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
        self.root = re.search(rb"/Root\s+(\d+ 0 R)", trailer).group(1)
        found = re.search(rb"/Info\s+(\d+ 0 R)", trailer)
        self.info = found.group(1) if found else None
        self.offsets: dict[int, int] = {}
        lines = data[self.xref : data.index(b"trailer", self.xref)].split(b"\n")
        if lines[0].strip() != b"xref":
            raise ValueError("not a classic cross-reference table")
        at = 1
        while at < len(lines) and lines[at].strip():
            first, count = map(int, lines[at].split())
            for n, entry in enumerate(lines[at + 1 : at + 1 + count]):
                offset, _, kind = entry.split()[:3]
                if kind == b"n":
                    self.offsets[first + n] = int(offset)
            at += 1 + count

    def body(self, number: int) -> bytes:
        """The object's text between ``obj`` and ``endobj`` (dictionaries only: no stream)."""
        start = self.data.index(b"obj", self.offsets[number]) + 3
        return self.data[start : self.data.index(b"endobj", start)].strip()

    def page_tree(self) -> tuple[list[int], dict[int, int]]:
        """The pages in order, and each page's and node's parent node."""
        catalog = self.body(int(self.root.split()[0]))
        top = int(re.search(rb"/Pages\s+(\d+) 0 R", catalog).group(1))
        pages, parents = [], {}

        def walk(node: int, depth: int) -> None:
            if depth > 32:
                raise ValueError("page tree too deep")
            for kid in map(int, _REF.findall(_KIDS.search(self.body(node)).group(1))):
                parents[kid] = node
                kind = _TYPE.search(self.body(kid)).group(1)
                if kind == b"Pages":
                    walk(kid, depth + 1)
                else:
                    pages.append(kid)

        walk(top, 0)
        return pages, parents

    def updated(self, changed: dict[int, bytes], size: int) -> bytes:
        out = bytearray(self.data if self.data.endswith(b"\n") else self.data + b"\n")
        offsets = {}
        for number in sorted(changed):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, changed[number])
        xref = len(out)
        out += b"xref\n"
        for number in sorted(offsets):
            out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
        info = b" /Info " + self.info if self.info else b""
        out += b"trailer\n<</Size %d /Root %s%s /Prev %d>>\n" % (size, self.root, info, self.xref)
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)
