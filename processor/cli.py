"""The command line: parse arguments, make one library call, print, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 problems in the data, 2 wrong usage or an unusable
output folder, 3 a program error (the details go to output/error.log).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import unicodedata
from pathlib import Path

from . import __version__
from .batch import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    OutputError,
    UsageError,
    log_internal_error,
)
from .problems import Problem, Severity
from .rubric import RubricError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except (UsageError, OutputError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except RubricError as exc:
        print(f"程序的评分标准文件有误，未读取任何评分表：\n{exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("\n已中断；输出文件夹中原有的结果未被改动。", file=sys.stderr)
        return 130
    except Exception as exc:  # the clerk never sees a traceback; the maintainer gets it in a file
        # run writes its log beside its outputs; other commands have no output folder of the
        # clerk's, so theirs goes to the system's temporary folder
        output = Path(args.output) if args.command == "run" else Path(tempfile.gettempdir()) / "processor"
        log = log_internal_error(output, f"processor {args.command}: {exc!r}")
        where = f"，详细信息已写入 {log}" if log else ""
        print(f"程序内部错误：{type(exc).__name__}: {exc}{where}。请把该文件发给维护人员。", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="processor",
        description="乡镇便民服务中心标准化等级评定：生成评分表模板、校验评分表、汇总排名并生成结果通报。",
        epilog="退出码：0 无错误（可能有警告）；1 数据有错误；2 用法或输出文件夹有误；3 程序内部错误。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="命令")

    p = commands.add_parser(
        "template", help="根据评分标准生成空白评分表和两张汇总用表", description=_template.__doc__
    )
    p.add_argument("--output", type=Path, default=Path("templates"), help="写入的文件夹（默认 templates）")
    p.set_defaults(handler=_template)

    p = commands.add_parser(
        "check", help="只校验，不发布结果（一个文件夹，或一个或多个评分表）", description=_check.__doc__
    )
    p.add_argument(
        "paths", nargs="*", type=Path, default=[Path("input")], help="文件夹或评分表文件（默认 input）"
    )
    p.set_defaults(handler=_check)

    p = commands.add_parser(
        "issue", help="按乡镇名单为每个乡镇生成已填好乡镇名称的评分表", description=_issue.__doc__
    )
    p.add_argument("roster", type=Path, help="乡镇名单（含“乡镇”列的表格，或办件数量表）")
    p.add_argument("--output", type=Path, default=Path("issued"), help="写入的文件夹（默认 issued）")
    p.set_defaults(handler=_issue)

    p = commands.add_parser(
        "run", help="校验全部输入，无错误时汇总、排名、定级并生成通报", description=_run.__doc__
    )
    p.add_argument("--input", type=Path, default=Path("input"), help="输入文件夹（默认 input）")
    p.add_argument("--output", type=Path, default=Path("output"), help="输出文件夹（默认 output）")
    p.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="不生成通报的PDF（省去启动浏览器的一两秒；HTML照常生成）",
    )
    p.set_defaults(handler=_run)
    return parser


def _template(args) -> int:
    """根据评分标准（processor/data/rubric-2022.toml）生成空白评分表、办件数量表和通报批评记录表。"""
    from .rubric import load_rubric
    from .settings import load_settings
    from .template import write_templates

    settings, problems = load_settings()
    if settings is None:
        _print_problems(problems)
        return EXIT_INTERNAL
    for path in write_templates(load_rubric(), settings, args.output):
        print(f"已生成 {path}")
    return EXIT_OK


def _issue(args) -> int:
    """按乡镇名单为每个乡镇生成一份评分表：乡镇名称已填好并锁定，文件以乡镇命名，避免现场写错名称。
    名单可以是含“乡镇”列的表格，也可以是办件数量表（其中的派出所不生成评分表）。"""
    from .issue import issue_sheets
    from .reader import ReadError, read_bytes
    from .roster import read_roster
    from .rubric import load_rubric

    if not args.roster.is_file():
        raise UsageError(f"找不到乡镇名单 {args.roster}")
    try:
        names, problems = read_roster(read_bytes(args.roster), args.roster.name)
    except ReadError as exc:
        from .problems import problem

        names, problems = [], [problem(exc.code, file=args.roster.name, **exc.params)]
    _print_problems(problems)
    if any(p.is_error for p in problems):
        print("名单有错误，未生成评分表。")
        return EXIT_PROBLEMS
    for path in issue_sheets(names, args.output, load_rubric()):
        print(f"已生成 {path}")
    return EXIT_OK


def _check(args) -> int:
    """校验评分表：给一个文件夹时按一轮评定整体校验（含办件数量表和通报批评记录表），
    给文件时只校验这些评分表。只报告问题，不生成结果。"""
    from .batch import check

    outcome = check(args.paths, progress=_progress)
    round_ = outcome.round
    _print_problems(round_.problems)
    print(f"已检查评分表{len(round_.sheets)}份。{_summary(round_.problems)}")
    if round_.roster:
        from .collect import returns

        print(f"回收情况（名单共{len(round_.roster)}个乡镇）：")
        for status, names in returns(round_).items():
            print(f"  {status}{len(names)}个：{'、'.join(names) or '无'}")
    return outcome.exit_code


def _run(args) -> int:
    """校验输入文件夹中的全部评分表、办件数量表和通报批评记录表；全部无错误时，
    计算得分、排名、等级和绩效加分，生成汇总表和结果通报。有错误时只生成问题清单。"""
    from .batch import run

    outcome = run(args.input, args.output, pdf=args.pdf, progress=_progress)
    round_ = outcome.round
    _print_problems(round_.problems)
    print(_summary(round_.problems))
    if outcome.published:
        print(f"已汇总{len(round_.sheets)}个乡镇，结果已发布：")
    else:
        print(
            "有错误，未发布结果（汇总表和通报）；输出文件夹中原有的结果未被改动。请按问题清单改正后重新运行："
        )
    for path in outcome.written:
        print(f"  {path}")
    for note in outcome.notes:
        print(f"说明：{note}。")
    return outcome.exit_code


def _progress(done: int, total: int) -> None:
    """Sheets read so far, on one terminal line (only on a terminal: logs stay clean)."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r已读取评分表 {done}/{total}", end=end, file=sys.stderr, flush=True)


def _summary(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "未发现问题。"
    return f"发现错误{errors}个、警告{warnings}个。"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _print_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    rows = [
        (p.severity.value, p.file or "-", p.where or "-", p.item or "-", f"{p.message}。{p.fix}。")
        for p in problems
    ]
    head = ("级别", "文件", "位置", "编号", "问题及处理办法")
    widths = [max(_width(r[i]) for r in [*rows, head]) for i in range(4)]
    for row in [head, *rows]:
        print("  ".join(_pad(cell, w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
