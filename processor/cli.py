"""The command line: parse arguments, make one library call, print, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 problems in the data, 2 wrong usage, an unusable
output folder or an incomplete installation, 3 a program error (details in output/error.log).
Everything it prints is Chinese, argparse's own texts included, and printing never fails,
whatever the console's encoding (a Windows pipe or redirect is GBK).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from . import __version__, commands
from . import constants as C
from .batch import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    OutputError,
    UsageError,
    log_internal_error,
)
from .console import chinese_argparse, printable, safe_console
from .register.db import RegisterError
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
    except (UsageError, OutputError, MissingResource, RegisterError) as exc:
        print(f"错误：{printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except RubricError as exc:
        print(f"程序的评分标准文件有误，未读取任何评分表：\n{exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except BrokenPipeError:  # the reader of our output stopped early (processor register | more)
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
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
    subparsers = parser.add_subparsers(dest="command", metavar="命令", title="命令")

    p = subparsers.add_parser(
        "template", help="根据评分标准生成空白评分表和汇总用表", description=commands.template.__doc__
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
    p.set_defaults(handler=commands.template)

    p = subparsers.add_parser(
        "rubric",
        help="把评分标准写成可编辑的工作簿（或从方案Word文件中读取）",
        description=commands.rubric.__doc__,
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
    p.set_defaults(handler=commands.rubric)

    p = subparsers.add_parser(
        "check",
        help="只校验，不发布结果（一个文件夹，或一个或多个评分表）",
        description=commands.check.__doc__,
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
    p.set_defaults(handler=commands.check)

    p = subparsers.add_parser(
        "issue", help="按乡镇名单为每个乡镇生成已填好乡镇名称的评分表", description=commands.issue.__doc__
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
    p.set_defaults(handler=commands.issue)

    p = subparsers.add_parser(
        "run", help="校验全部输入，无错误时汇总、排名、定级并生成通报", description=commands.run.__doc__
    )
    p.add_argument("--input", type=Path, default=Path("input"), help="输入文件夹（默认 input）")
    p.add_argument("--output", type=Path, default=Path("output"), help="输出文件夹（默认 output）")
    p.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="不生成通报的PDF（省去启动浏览器的一两秒；HTML照常生成）",
    )
    p.add_argument(
        "--stage",
        choices=C.STAGES,
        default=C.STAGE_NOTICE,
        metavar="文件",
        help="生成哪一份文件：通报（默认，发布结果并登记）、审批稿（报领导小组审批，列出需研究确定的事项）、"
        "公示（按等级列出名单、公示期和异议规则）；审批稿和公示写在输出文件夹中，不改动已发布的结果",
    )
    _register_option(p)
    p.add_argument(
        "--no-register",
        dest="use_register",
        action="store_false",
        help="不登记（试运行）：发布的结果不记入登记簿",
    )
    p.add_argument(
        "--correction",
        metavar="更正理由",
        help="更正已发布并登记的一轮结果：登记簿保留原来的版本，另记新版本和更正理由",
    )
    p.set_defaults(handler=commands.run)

    p = subparsers.add_parser(
        "register",
        help="查看登记簿：各乡镇当前等级、历史、有效期和逐轮比较",
        description=commands.register.__doc__,
    )
    _register_option(p)
    p.add_argument("--date", type=_day, metavar="日期", help="按哪一天查看（默认今天），如 2024-06-30")
    p.add_argument(
        "--regenerate", metavar="年度", help="用登记簿存档的输入文件重新生成该轮结果，逐字节核对通报和汇总表"
    )
    p.add_argument(
        "--version",
        dest="round_version",
        type=int,
        metavar="版本",
        help="与 --regenerate 一起：第几版（默认最新）",
    )
    p.add_argument(
        "--output",
        type=Path,
        metavar="文件夹",
        help="与 --regenerate 一起：把重新生成的结果写入该文件夹（默认只核对）",
    )
    p.add_argument(
        "--input",
        type=Path,
        metavar="文件夹",
        help="与 --regenerate 一起：原来的输入文件夹（输入文件很多、登记簿只存有其SHA-256的一轮需要）",
    )
    p.set_defaults(handler=commands.register)

    p = subparsers.add_parser(
        "adjust",
        help="登记等级确定后的降级或取消等级决定，生成等级调整通报",
        description=commands.adjust.__doc__,
    )
    p.add_argument(
        "table",
        type=Path,
        metavar="等级调整记录表",
        help="领导小组决定的记录表（processor template 生成的 adjustments_template.xlsx）",
    )
    _register_option(p)
    p.add_argument(
        "--output",
        type=Path,
        default=Path("output"),
        help="调整通报写入的文件夹（默认 output，写在其中的“等级调整”文件夹）",
    )
    p.add_argument("--no-pdf", dest="pdf", action="store_false", help="不生成调整通报的PDF")
    p.set_defaults(handler=commands.adjust)
    return parser


def _register_option(p) -> None:
    p.add_argument(
        "--register",
        type=Path,
        metavar="文件夹",
        help=f"登记簿所在的文件夹（默认为输出文件夹旁边的 {C.REGISTER_DIR} 文件夹）",
    )


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2024-06-30") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
