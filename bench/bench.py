"""Benchmark of the clerk's command (``make bench``): generate N filled sheets from the real
template, run ``processor run`` on them as the clerk would, and report wall time, time per
sheet, peak memory, and the floor (inflating every sheet's zip, measured in the same run).

    python bench/bench.py 15 1000 40000      # sizes to run (default: 15 1000)

Generated rounds are cached under $BENCH_DIR (default /tmp/processor-bench), keyed by N, the
template and the code that generates them, so a second run measures the batch only.
"""

from __future__ import annotations

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
from processor.inputs.values import plain  # noqa: E402
from processor.rules.rubric import load_rubric  # noqa: E402
from processor.testing import fill_sheet  # noqa: E402

REPEAT, REPEAT_BELOW = 7, 100  # runs of rounds up to REPEAT_BELOW sheets: the median of REPEAT
PLACEHOLDER = "乡镇名称占位符"


def progress(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{text}", end="", file=sys.stderr, flush=True)


def township(n: int) -> str:
    return f"第{n:05d}镇"


def generate(folder: Path, n: int) -> None:
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
    )
    base = _members(path.read_bytes())
    path.unlink()
    for i in range(n):
        lost = {item.code for item in rng.sample(judged, rng.randint(2, 9))}
        edits = [(PLACEHOLDER.encode(), township(i).encode())]
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
            progress(f"  生成评分表 {i}/{n}")
    progress(" " * 40 + "\r")
    _tables(folder, n, rng)


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
    """(wall seconds, peak memory MB, exit code) of `processor run` as a child process. The
    memory is the largest sum over the batch and its worker processes at one moment (their
    proportional set size: pages a forked worker shares with its parent count once), sampled
    as it runs; where /proc is missing, the largest single process instead."""
    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        # --no-pdf: the PDF is Chromium's start-up and printing (1-2 s whatever the round's
        # size), not the batch; the table notes it.
        [
            sys.executable,
            "-m",
            "processor",
            "run",
            "--no-pdf",
            "--input",
            str(folder),
            "--output",
            str(output),
        ],
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


def main(sizes: list[int]) -> None:
    base = Path(os.environ.get("BENCH_DIR", "/tmp/processor-bench"))
    # generated rounds are kept while the template and the code that makes them are unchanged
    maker = "".join(inspect.getsource(f) for f in (generate, township, _tables)) + repr(
        (PLACEHOLDER, FINDINGS)
    )
    key = hashlib.sha256(score_sheet_bytes(load_rubric()) + maker.encode()).hexdigest()[:10]
    compile_bytecode()
    print(f"机器：{platform.machine()}，{os.cpu_count()}核，Python {platform.python_version()}")
    print(
        f"{'N':>7} {'总时间(s)':>10} {'每份(ms)':>9} {'峰值内存(MB)':>12} {'下限(ms/份)':>11} {'倍数':>6}  退出码"
    )
    for n in sizes:
        folder = base / f"{key}-{n}"
        if not folder.exists():
            tmp = base / f"{key}-{n}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            generate(tmp, n)
            tmp.rename(folder)
        floor(folder)  # warm the page cache, as the clerk's second run would be
        lower = floor(folder) / n
        if n <= REPEAT_BELOW:
            # A short run is timed several times and its median kept (a tenth of a second of
            # start-up varies from run to run more than the work does), without sampling its
            # memory: reading /proc of a process slows it, by as much as 0.1 s of half a second.
            # Its memory comes from one more run.
            runs = sorted(run_batch(folder, base / f"out-{n}", measure_memory=False) for _ in range(REPEAT))
            wall, _, code = runs[len(runs) // 2]
            peak = run_batch(folder, base / f"out-{n}")[1]
        else:
            wall, peak, code = run_batch(folder, base / f"out-{n}")
        per = wall / n
        print(
            f"{n:>7} {wall:>10.2f} {per * 1000:>9.2f} {peak:>12.0f} {lower * 1000:>11.3f} {per / lower:>6.1f}  {code}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [15, 1000])
