"""Benchmark of the clerk's command (``make bench``): generate N filled sheets from the real
template, run ``processor run`` on them as the clerk would, and report wall time, time per
sheet, peak memory, the floor (inflating every sheet's zip, measured in the same run), and
``processor check`` on the same folder, alternating with the runs (the outputs' cost is what
``run`` takes beyond ``check``). With ``--pdf N`` the notice of the round of N is also
printed, by ``processor`` and by a bare Chromium command, alternately.

    python bench/bench.py 15 1000 2000 40000   # sizes to run (default: 15 1000 2000)
    python bench/bench.py 2000 --pdf 2000
    python bench/bench.py 8000 --panel 5       # N townships, five evaluators' sheets each (平均分)

``--panel K`` gives every township K sheets, one per evaluator, combined by the mean (the
folder's rubric.xlsx says so); the times per sheet are then per sheet, K a township. The runs
are ``--no-register``: the register is the clerk's, not the benchmark's (a round beyond
``register.rounds.ARCHIVE_LIMIT`` is registered by its hashes, a moment beside the run).

Generated rounds are cached under $BENCH_DIR (default /tmp/processor-bench), keyed by N, the
template and the code that generates them, so a second run measures the batch only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import io
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from processor import constants as C  # noqa: E402
from processor.forms.blank import score_sheet_bytes  # noqa: E402
from processor.forms.rubric_book import draft_of, write_rubric_book  # noqa: E402
from processor.inputs.values import plain  # noqa: E402
from processor.rules.rubric import load_rubric  # noqa: E402
from processor.testing import fill_sheet  # noqa: E402

REPEAT, REPEAT_BELOW = 7, 100  # runs of rounds up to REPEAT_BELOW sheets: the median of REPEAT
PAIRS, PAIRS_UP_TO = 3, 5000  # larger rounds: this many pairs of check and run, one pair beyond
PDF_REPEAT = 3
PLACEHOLDER = "乡镇名称占位符"
EVALUATOR = "评定人员占位符"


def progress(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{text}", end="", file=sys.stderr, flush=True)


def township(n: int) -> str:
    return f"第{n:05d}镇"


def generate(folder: Path, n: int, panel: int = 1) -> None:
    """N sheets, each with its own scores and remarks: one sheet is filled through openpyxl with
    a marker in every judged item's score and remark cell, then each copy replaces the markers
    (two to nine items lose points, with a remark; the rest keep their maximum, no remark) and
    the township's name."""
    rubric = load_rubric()
    rng = random.Random(n)
    folder.mkdir(parents=True)
    judged = [item for item in rubric.items if item.kind == "judged"]
    markers = {item.code: 1000 + k for k, item in enumerate(judged)}
    path = fill_sheet(
        folder / "base.xlsx",
        rubric,
        township=PLACEHOLDER,
        scores=markers,
        remarks={code: f"R{code}R" for code in markers},
        inspectors=EVALUATOR,
    )
    base = _members(path.read_bytes())
    path.unlink()
    if panel > 1:
        draft = draft_of(rubric)
        draft.panel[C.P_RULE] = "平均分"
        write_rubric_book(draft, folder / C.RUBRIC_FILE, rubric.year)
    for i in range(n * panel):
        lost = {item.code for item in rng.sample(judged, rng.randint(2, 9))}
        edits = [(old, township(i // panel).encode()) for old in _as_written(PLACEHOLDER)]
        edits += [(old, f"评定人员{i % panel + 1}".encode()) for old in _as_written(EVALUATOR)]
        for item in judged:
            score, remark = item.maximum, ""
            if item.code in lost:
                score = max(Decimal(0), item.maximum - Decimal(rng.randint(1, 6)) * Decimal("0.5"))
                remark = f"{rng.choice(FINDINGS)}{rng.randint(1, 5)}处"
            edits.append((b"<v>%d</v>" % markers[item.code], b"<v>%s</v>" % plain(score).encode()))
            edits.append((f"<t>R{item.code}R</t>".encode(), f"<t>{remark}</t>".encode()))
        with zipfile.ZipFile(folder / f"{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for member, data in base:
                for old, new in edits:
                    data = data.replace(old, new)
                zf.writestr(member, data)
        if i % 500 == 0:
            progress(f"  生成评分表 {i}/{n * panel}")
    progress(" " * 40 + "\r")
    _tables(folder, n, rng)


def _as_written(text: str) -> tuple[bytes, bytes]:
    """``text`` as a sheet's XML may hold it: as UTF-8, or (openpyxl writing through lxml) with
    every character beyond ASCII as a character reference."""
    return text.encode(), "".join(ch if ord(ch) < 128 else f"&#{ord(ch)};" for ch in text).encode()


FINDINGS = ("抽查发现问题", "台账不全", "公示信息未更新", "群众反映等候时间长", "制度未上墙")


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _tables(folder: Path, n: int, rng: random.Random) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(folder / C.CASE_COUNTS_FILE), {"constant_memory": True})
    ws = book.add_worksheet(C.CASE_COUNTS_SHEET)
    ws.write_row(0, 0, [C.COL_UNIT, C.COL_CASES])
    for i in range(n):
        ws.write_row(i + 1, 0, [township(i), rng.randint(0, 5000)])
    book.close()
    book = xlsxwriter.Workbook(str(folder / C.CRITICISMS_FILE))
    ws = book.add_worksheet(C.CRITICISMS_SHEET)
    ws.write_row(0, 0, [C.COL_C_TOWNSHIP, C.COL_C_DATE, C.COL_C_SOURCE, C.COL_C_REASON, C.COL_C_ACTION])
    ws.write_row(1, 0, [township(0), "2022-05-16", "市效能办", "窗口人员脱岗", ""])
    book.close()


def floor(folder: Path) -> float:
    """Seconds to read and inflate every member of every score sheet: what no reader can beat."""
    start = time.perf_counter()
    for path in sorted(folder.glob("*.xlsx")):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                zf.read(info)
    return time.perf_counter() - start


def run_batch(folder: Path, output: Path, measure_memory: bool = True) -> tuple[float, float, int]:
    """(wall seconds, peak memory MB, exit code) of `processor run` as the clerk runs it.
    --no-pdf: the PDF is Chromium's start-up and printing, measured apart (``pdf_times``)."""
    shutil.rmtree(output, ignore_errors=True)
    args = ["run", "--no-pdf", "--no-register", "--input", str(folder), "--output", str(output)]
    return run_command(args, measure_memory)


def check_batch(folder: Path) -> float:
    """Wall seconds of `processor check` on the same folder: reading and validating every
    sheet, which `run` does too before it publishes."""
    return run_command(["check", str(folder)], measure_memory=False)[0]


def run_command(args: list[str], measure_memory: bool) -> tuple[float, float, int]:
    """(wall seconds, peak memory MB, exit code) of ``processor ARGS`` as a child process. The
    memory is the largest sum over the batch and its worker processes at one moment (their
    proportional set size: pages a forked worker shares with its parent count once), sampled
    as it runs; where /proc is missing, the largest single process instead."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "processor", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=None,  # the batch's own progress shows on the terminal
    )
    samples = [0]
    done = threading.Event()

    def sample() -> None:  # beside the wait, so that the wall time is taken the moment it ends
        # every 50 ms for a short run, every 250 ms after two seconds: reading /proc of the
        # workers takes CPU the run itself could use
        while not done.wait(0.05 if time.perf_counter() - start < 2 else 0.25):
            samples.append(tree_memory(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if measure_memory:
        sampler.start()
    process.wait()
    wall = time.perf_counter() - start
    done.set()
    if measure_memory:
        sampler.join()
    peak = max(samples)
    if measure_memory and not peak:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return wall, peak / 2**20, process.returncode


def pdf_times(html: Path, work: Path, repeat: int) -> tuple[list[float], list[float]] | None:
    """Seconds to print ``html`` the way `processor run` does (``outputs.pdf.make_pdf``: our flags,
    a fresh profile, the dates fixed, a blank page where the 版记 needs one) and with a bare
    Chromium command on the same file, alternately; None without a browser."""
    from processor.outputs.pdf import FLAGS, find_browser, make_pdf

    browser = find_browser()
    if browser is None:
        return None
    ours, bare = [], []
    for n in range(repeat):
        start = time.perf_counter()
        make_pdf(html, work / f"ours-{n}.pdf", dt.date(2022, 8, 31))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        # the fewest switches Chromium needs to print here (as root, without a display)
        subprocess.run(
            [browser.path, *FLAGS[:2], f"--print-to-pdf={work / f'bare-{n}.pdf'}", html.as_uri()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        bare.append(time.perf_counter() - start)
    return ours, bare


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def spread(values: list[float], digits: int = 2) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}"


def tree_memory(root: int) -> int:
    """Bytes in use by ``root`` and its descendants now (PSS from /proc; 0 without /proc)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError):
            continue
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def compile_bytecode() -> None:
    """Python keeps each module's compiled bytecode after a first run; a machine that sets
    PYTHONDONTWRITEBYTECODE (this one does) would instead recompile our modules on every run,
    60 ms that no clerk pays twice. Measure the clerk's usual run."""
    import compileall

    compileall.compile_dir(ROOT / "processor", quiet=1)


def main(sizes: list[int], pdf_sizes: set[int], panel: int = 1) -> None:
    base = Path(os.environ.get("BENCH_DIR", "/tmp/processor-bench"))
    # generated rounds are kept while the template and the code that makes them are unchanged
    maker = "".join(inspect.getsource(f) for f in (generate, township, _tables, _as_written)) + repr(
        (PLACEHOLDER, EVALUATOR, FINDINGS)
    )
    key = hashlib.sha256(score_sheet_bytes(load_rubric()) + maker.encode()).hexdigest()[:10]
    key += f"-panel{panel}" if panel > 1 else ""
    if panel > 1:
        print(f"每个乡镇{panel}名评定人员各交一份评分表（平均分）；N为乡镇数，每份为每份评分表")
    compile_bytecode()
    print(f"机器：{platform.machine()}，{os.cpu_count()}核，Python {platform.python_version()}")
    print(
        f"{'N':>7} {'总时间(s)':>10} {'每份(ms)':>9} {'峰值内存(MB)':>12} {'下限(ms/份)':>11} {'倍数':>6}"
        f" {'check(s)':>9} {'run/check':>14}  退出码"
    )
    pdfs = []
    for n in sizes:
        folder = base / f"{key}-{n}"
        if not folder.exists():
            tmp = base / f"{key}-{n}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            generate(tmp, n, panel)
            tmp.rename(folder)
        floor(folder)  # warm the page cache, as the clerk's second run would be
        sheets = n * panel
        lower = floor(folder) / sheets
        output = base / f"out-{n}"
        # `check` and `run` alternate, so that both see the machine in the same mood (this VM's
        # speed varies by half from one minute to the next): the ratio is taken pair by pair.
        # A short run is timed several times and its median kept (a tenth of a second of
        # start-up varies from run to run more than the work does), without sampling its
        # memory: reading /proc of a process slows it, by as much as 0.1 s of half a second.
        # Its memory comes from one more run.
        pairs = REPEAT if n <= REPEAT_BELOW else PAIRS if n <= PAIRS_UP_TO else 1
        short = n <= REPEAT_BELOW
        checks, runs = [], []
        for _ in range(pairs):
            checks.append(check_batch(folder))
            runs.append(run_batch(folder, output, measure_memory=not short))
        walls = [wall for wall, _, _ in runs]
        wall, peak, code = sorted(runs)[len(runs) // 2]
        if short:
            peak = run_batch(folder, output)[1]
        ratios = [r / c for r, c in zip(walls, checks, strict=True)]
        per = wall / sheets
        print(
            f"{n:>7} {wall:>10.2f} {per * 1000:>9.2f} {peak:>12.0f} {lower * 1000:>11.3f} {per / lower:>6.1f}"
            f" {median(checks):>9.2f} {median(ratios):>5.2f}（{spread(ratios)}）  {code}"
        )
        if len(walls) > 1:
            print(f"{'':>7} run {spread(walls)} s，check {spread(checks)} s（{pairs}次）")
        notice = output / C.RESULTS_DIR / C.NOTICE_FILE
        if n in pdf_sizes and notice.exists():
            pdfs.append((n, pdf_times(notice, base, PDF_REPEAT)))
    for n, times in pdfs:
        if times is None:
            print(f"{n:>7} PDF：本机没有Chromium，未测")
            continue
        ours, bare = times
        ratios = [o / b for o, b in zip(ours, bare, strict=True)]
        print(
            f"{n:>7} PDF通报：本程序 {median(ours):.2f} s（{spread(ours)}），"
            f"同一HTML直接用Chromium打印 {median(bare):.2f} s（{spread(bare)}），"
            f"之比 {median(ratios):.2f}（{spread(ratios)}）"
        )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    # "--pdf 2000": also time printing the notice of that size (ours against a bare Chromium)
    pdf = {int(a) for a in arguments[arguments.index("--pdf") + 1 :][:1]} if "--pdf" in arguments else set()
    if "--pdf" in arguments:
        at = arguments.index("--pdf")
        del arguments[at : at + 2]
    # "--panel 5": five evaluators' sheets a township
    members = int(arguments[arguments.index("--panel") + 1]) if "--panel" in arguments else 1
    if "--panel" in arguments:
        at = arguments.index("--panel")
        del arguments[at : at + 2]
    main([int(a) for a in arguments] or [15, 1000, 2000], pdf, members)
