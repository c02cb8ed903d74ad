"""The command line: parse arguments, make one library call, print, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 problems in the data, 2 wrong usage, an unusable
output folder or an incomplete installation, 3 a program error (details in output/error.log).
Everything it prints is Chinese, argparse's own texts included, and printing never fails,
whatever the console's encoding (a Windows pipe or redirect is GBK).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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
from .console import chinese_argparse, print_problems, printable, progress, safe_console, summary
from .problems import Severity
from .resources import MissingResource
from .resources import verify as verify_installation
from .rules.rubric import RubricError

DESCRIPTION = "乡镇便民服务中心标准化等级评定：生成评分表模板、校验评分表、汇总排名并生成结果通报。"
EPILOG = "退出码：0 无错误（可能有警告）；1 数据有错误；2 用法、输出文件夹或安装有误；3 程序内部错误。"


def main(argv: list[str] | None = None) -> int:
    safe_console()
    with chinese_argparse():
        parser = build_parser()
        args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        verify_installation()
        return args.handler(args)
    except (UsageError, OutputError, MissingResource) as exc:
        print(f"错误：{printable(str(exc))}", file=sys.stderr)
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
        print(
            f"程序内部错误：{type(exc).__name__}: {printable(str(exc))}{where}。请把该文件发给维护人员。",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="processor", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="显示程序版本并退出"
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", title="命令")

    p = commands.add_parser(
        "template", help="根据评分标准生成空白评分表和两张汇总用表", description=_template.__doc__
    )
    p.add_argument("--output", type=Path, default=Path("templates"), help="写入的文件夹（默认 templates）")
    p.add_argument(
        "--rubric",
        type=Path,
        metavar="评分标准",
        help="本轮的评分标准工作簿（processor rubric 生成并修改后的 rubric.xlsx）；不给时用程序自带的2022年评分标准",
    )
    p.add_argument(
        "--self",
        dest="self_assessment",
        action="store_true",
        help="乡镇自评表（标明“自评”，不作为评定得分，汇总时与评定结果对照）",
    )
    p.set_defaults(handler=_template)

    p = commands.add_parser(
        "rubric", help="把评分标准写成可编辑的工作簿（或从方案Word文件中读取）", description=_rubric.__doc__
    )
    p.add_argument(
        "--output", type=Path, default=Path("."), help="写入 rubric.xlsx 的文件夹（默认当前文件夹）"
    )
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="方案.docx",
        help="从评定工作方案的Word文件（.docx）读取附件中的评分表",
    )
    p.add_argument(
        "--rubric",
        type=Path,
        metavar="评分标准",
        help="本轮的评分标准工作簿（processor rubric 生成并修改后的 rubric.xlsx）；不给时用程序自带的2022年评分标准",
    )
    p.set_defaults(handler=_rubric)

    p = commands.add_parser(
        "check", help="只校验，不发布结果（一个文件夹，或一个或多个评分表）", description=_check.__doc__
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("input")],
        metavar="文件夹或评分表",
        help="文件夹或评分表文件（默认 input）",
    )
    p.add_argument(
        "--rubric",
        type=Path,
        metavar="评分标准",
        help="只校验评分表文件时所用的评分标准（校验文件夹时用其中的 rubric.xlsx）",
    )
    p.set_defaults(handler=_check)

    p = commands.add_parser(
        "issue", help="按乡镇名单为每个乡镇生成已填好乡镇名称的评分表", description=_issue.__doc__
    )
    p.add_argument("roster", type=Path, metavar="乡镇名单", help="乡镇名单（含“乡镇”列的表格，或办件数量表）")
    p.add_argument("--output", type=Path, default=Path("issued"), help="写入的文件夹（默认 issued）")
    p.add_argument(
        "--rubric",
        type=Path,
        metavar="评分标准",
        help="本轮的评分标准工作簿（processor rubric 生成并修改后的 rubric.xlsx）；不给时用程序自带的2022年评分标准",
    )
    p.add_argument(
        "--self",
        dest="self_assessment",
        action="store_true",
        help="乡镇自评表（标明“自评”，不作为评定得分，汇总时与评定结果对照）",
    )
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


def _given_rubric(args):
    """The rubric named by --rubric (or the packaged one), or None after printing its problems."""
    from .batch import rubric_from

    rubric, problems = rubric_from(args.rubric)
    print_problems(problems)
    if rubric is None:
        print("评分标准有错误，请改正后重新运行。")
    return rubric


def _template(args) -> int:
    """根据评分标准生成空白评分表、办件数量表和通报批评记录表（有一票否决事项时还有一票否决记录表）。"""
    from .forms.blank import write_templates
    from .rules.settings import load_settings

    settings, problems = load_settings()
    if settings is None:
        print_problems(problems)
        return EXIT_INTERNAL
    rubric = _given_rubric(args)
    if rubric is None:
        return EXIT_PROBLEMS
    notes: list[str] = []
    written = write_templates(rubric, settings, args.output, notes, args.self_assessment)
    _print_notes(notes)
    for path in written:
        print(f"已生成 {printable(str(path))}")
    return EXIT_OK


def _rubric(args) -> int:
    """把本轮的评分标准（程序自带的2022年评分标准，或 --rubric 给出的工作簿）写成可编辑的
    评分标准工作簿 rubric.xlsx：评分项目、类别、等级规则、一票否决事项和填写说明。改好后放入
    输入文件夹即按它生成评分表、校验和定级。给 --from 方案.docx 时，从方案 Word 文件的附件表格读取，
    没有把握的地方标为“待核对”并列出。"""
    from .batch import export_rubric

    if args.source is not None:
        if not args.source.is_file():
            raise UsageError(f"找不到方案文件 {args.source}")
        path, marks = export_rubric(args.output, source=args.source)
    else:
        rubric = _given_rubric(args)
        if rubric is None:
            return EXIT_PROBLEMS
        path, marks = export_rubric(args.output, rubric=rubric)
    print(f"已生成 {printable(str(path))}")
    if marks:
        print(f"以下{len(marks)}处没有把握，已在工作簿的“待核对”一栏标出，请对照方案核对改正后清空该栏：")
        for mark in marks:
            print(f"  {printable(mark)}")
    return EXIT_OK


def _issue(args) -> int:
    """按乡镇名单为每个乡镇生成一份评分表：乡镇名称已填好并锁定，文件以乡镇命名，避免现场写错名称。
    名单可以是含“乡镇”列的表格，也可以是办件数量表（其中的派出所不生成评分表）。"""
    from .forms.issue import issue_sheets
    from .inputs.roster import read_roster
    from .xlsx import ReadError, read_bytes

    if not args.roster.is_file():
        raise UsageError(f"找不到乡镇名单 {args.roster}")
    try:
        names, problems = read_roster(read_bytes(args.roster), args.roster.name)
    except ReadError as exc:
        names, problems = [], [exc.problem(args.roster.name)]
    print_problems(problems)
    if any(p.is_error for p in problems):
        print("名单有错误，未生成评分表。")
        return EXIT_PROBLEMS
    rubric = _given_rubric(args)
    if rubric is None:
        return EXIT_PROBLEMS
    notes: list[str] = []
    written = issue_sheets(
        names, args.output, rubric, notes, roster=args.roster, self_assessment=args.self_assessment
    )
    _print_notes(notes)
    for path in written:
        print(f"已生成 {printable(str(path))}")
    return EXIT_OK


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"说明：{printable(note)}。")


def _check(args) -> int:
    """校验评分表：给一个文件夹时按一轮评定整体校验（含办件数量表和通报批评记录表），
    给文件时只校验这些评分表。只报告问题，不生成结果。"""
    from .batch import check

    rubric = _given_rubric(args) if args.rubric else None
    if args.rubric and rubric is None:
        return EXIT_PROBLEMS
    outcome = check(args.paths, rubric=rubric, progress=progress)
    round_ = outcome.round
    print_problems(round_.problems)
    print(f"已检查评分表{len(round_.sheets)}份。{summary(round_.problems)}")
    if round_.roster:
        from .inputs.crosscheck import returns

        print(f"回收情况（名单共{len(round_.roster)}个乡镇）：")
        for status, names in returns(round_).items():
            print(f"  {status}{len(names)}个：{printable('、'.join(names)) or '无'}")
    return outcome.exit_code


def _run(args) -> int:
    """校验输入文件夹中的全部评分表、办件数量表和通报批评记录表；全部无错误时，
    计算得分、排名、等级和绩效加分，生成汇总表和结果通报。有错误时只生成问题清单。"""
    from .batch import run

    outcome = run(args.input, args.output, pdf=args.pdf, progress=progress)
    round_ = outcome.round
    listed = round_.problems + [n for n in outcome.notes if n.severity is not Severity.INFO]
    print_problems(listed)
    print(summary(listed))
    if outcome.published:
        print(f"已汇总{len(round_.sheets)}个乡镇，结果已发布：")
    else:
        print(
            "有错误，未发布结果（汇总表和通报）；输出文件夹中原有的结果未被改动。请按问题清单改正后重新运行："
        )
    for path in outcome.written:
        print(f"  {printable(str(path))}")
    for note in outcome.notes:
        if note.severity is Severity.INFO:
            print(f"说明：{printable(note.message)}。")
    return outcome.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
