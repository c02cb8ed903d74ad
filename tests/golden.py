"""Golden outputs: a few rounds whose every output file is recorded by its SHA-256, so that a change
meant to keep behaviour (a refactoring) proves it kept every byte, and a change meant to alter an
output shows exactly which files it altered.

    python tests/golden.py            # print the hashes of the current code
    python tests/golden.py --update   # record them in tests/golden/hashes.json

The rounds: the example round in input/, a round with boundary ties and every kind of criticism,
the same round through the large-round path (thresholds lowered), and a round with errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RECORD = HERE / "golden" / "hashes.json"
LIBRARIES = ("xlsxwriter", "openpyxl", "jinja2", "pandas")
sys.path.insert(0, str(HERE))


def versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in LIBRARIES}


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _tied_round(folder: Path) -> None:
    """Five townships: three tie across the 一等/二等 line, criticisms blank, written and cancelling,
    a name matched loosely, a deduction without a remark, a police station ranked for 3.1."""
    from helpers import write_case_counts, write_criticisms

    from processor.rules.rubric import load_rubric
    from processor.testing import fill_sheet

    rubric = load_rubric()
    sheets = {
        "东山镇": ({"1.1": 2.5}, {"1.1": "未设填单区"}),
        "西河镇": ({"1.1": 2.5}, {"1.1": "等候区座椅不足"}),
        "南岭乡": ({"1.2": 1.5}, {"1.2": "工作牌不一致1处"}),
        "北坪镇": ({"2.2": 1, "5.7": 0, "6.1": 0}, {"2.2": "一台电脑无法登录"}),
        "青石镇": ({"4.5": 2}, {"4.5": "超期3件"}),
    }
    for n, (township, (scores, remarks)) in enumerate(sheets.items()):
        fill_sheet(folder / f"{n:02d}.xlsx", rubric, township=township, scores=scores, remarks=remarks)
    write_case_counts(
        folder, {"东山镇": 500, "西河镇": 500, "南岭乡": 500, "城关派出所": 800, "北坪镇": 90, "青石": 60}
    )
    write_criticisms(
        folder,
        [
            ["西河镇", "2022-05-03", "市效能办", "窗口人员离岗", None],
            ["西河镇", "2022-06-01", "媒体曝光", "群众排队过长", None],
            ["南岭乡", "2022-06-10", "省效能办", "办件超期", "降低两个等级"],
            ["北坪镇", "2022-07-01", "市行政服务中心", "大厅未正常办公", "取消等级"],
        ],
    )


def _error_round(folder: Path) -> None:
    from helpers import write_case_counts, write_criticisms

    from processor.rules.rubric import load_rubric
    from processor.testing import fill_sheet

    rubric = load_rubric()
    fill_sheet(folder / "a.xlsx", rubric, township="东山镇", scores={"1.1": 9, "1.2": "两分", "3.2": None})
    fill_sheet(folder / "b.xlsx", rubric, township="东山镇")
    (folder / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    write_case_counts(folder, {"东山镇": 5})
    write_criticisms(folder, [["无名镇", "2022-05-03", "县效能办", "", "降三级"]])


@contextlib.contextmanager
def _large(limit: int) -> Iterator[None]:
    from processor import constants as C

    saved = C.LARGE_ROUND, C.CHART_TOWNSHIPS
    C.LARGE_ROUND, C.CHART_TOWNSHIPS = limit, 3
    try:
        yield
    finally:
        C.LARGE_ROUND, C.CHART_TOWNSHIPS = saved


def outputs() -> dict[str, dict[str, str]]:
    """Round name -> output file -> SHA-256, for the current code."""
    import processor.batch as batch

    batch.make_pdf = lambda *args: ""  # the PDF depends on the machine's Chromium, not on our code
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "input", tmp / "example")
        for name, make in (("tied", _tied_round), ("errors", _error_round)):
            (tmp / name).mkdir()
            make(tmp / name)
        for name, folder, large in (
            ("example", "example", None),
            ("tied", "tied", None),
            ("tied-large", "tied", 3),
            ("errors", "errors", None),
        ):
            out = tmp / f"out-{name}"
            with _large(large) if large else contextlib.nullcontext():
                batch.run(tmp / folder, out, pdf=False)
            found[name] = hashes(out)
    return found


def main(argv: list[str]) -> int:
    current = {"versions": versions(), "rounds": outputs()}
    if "--update" in argv:
        RECORD.parent.mkdir(exist_ok=True)
        RECORD.write_text(json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"recorded {RECORD}")
    else:
        print(json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
