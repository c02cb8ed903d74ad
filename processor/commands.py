"""The commands behind the command line, one function each (its docstring is its --help
description): read the arguments, make one library call (``batch``, ``registry``, ``forms``),
print the outcome in Chinese, return the exit code."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from . import constants as C
from .batch import EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, UsageError
from .console import print_problems, printable, progress, summary
from .problems import Severity


def register_folder(args) -> Path:
    """--register, else the folder "register" beside the output folder (beside the current
    folder's output/ when there is none to be beside)."""
    if args.register is not None:
        return args.register
    output = args.output if args.command in ("run", "adjust") else Path("output")
    return output.absolute().parent / C.REGISTER_DIR


def _given_rubric(args):
    """The rubric named by --rubric (or the packaged one), or None after printing its problems."""
    from .batch import rubric_from

    rubric, problems = rubric_from(args.rubric)
    print_problems(problems)
    if rubric is None:
        print("评分标准有错误，请改正后重新运行。")
    return rubric


def template(args) -> int:
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


def rubric(args) -> int:
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


def issue(args) -> int:
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


def check(args) -> int:
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


def run(args) -> int:
    """校验输入文件夹中的全部评分表、办件数量表和通报批评记录表；全部无错误时，
    计算得分、排名、等级和绩效加分，生成汇总表和结果通报，并记入登记簿。有错误时只生成问题清单。
    用 --stage 审批稿 或 --stage 公示 生成发布前的审批稿或公示（不改动已发布的结果）。"""
    from .batch import run

    register = register_folder(args) if args.use_register else None
    if args.correction is not None and register is None:
        raise UsageError("--correction 更正的是登记簿中的一轮结果，不能与 --no-register 一起使用")
    if args.correction is not None and args.stage != C.STAGE_NOTICE:
        raise UsageError(f"--correction 只用于正式通报，生成{args.stage}时不需要")
    if args.correction is not None and not args.correction.strip():
        raise UsageError('--correction 需要写明更正理由，如 --correction "西河镇评分表3.6项录入错误"')
    outcome = run(
        args.input,
        args.output,
        pdf=args.pdf,
        progress=progress,
        stage_name=args.stage,
        register=register,
        correction=args.correction.strip() if args.correction else None,
    )
    round_ = outcome.round
    listed = round_.problems + [n for n in outcome.notes if n.severity is not Severity.INFO]
    print_problems(listed)
    print(summary(listed))
    if outcome.published and outcome.stage == C.STAGE_NOTICE:
        print(f"已汇总{len(round_.sheets)}个乡镇，结果已发布：")
    elif outcome.published:
        print(f"已生成{outcome.stage}（已发布的结果未改动）：")
    elif outcome.stage == C.STAGE_NOTICE:
        print(
            "有错误，未发布结果（汇总表和通报）；输出文件夹中原有的结果未被改动。请按问题清单改正后重新运行："
        )
    else:
        print(f"有错误，未生成{outcome.stage}；输出文件夹中原有的文件未被改动。请按问题清单改正后重新运行：")
    for path in outcome.written:
        print(f"  {printable(str(path))}")
    for note in outcome.notes:
        if note.severity is Severity.INFO:
            print(f"说明：{printable(note.message)}。")
    return outcome.exit_code


def register(args) -> int:
    """查看登记簿：每个乡镇当前的等级（评定等级和之后的调整）、有效期和即将到期的等级、
    各轮的名次和等级比较；同时重写登记簿文件夹中的“登记簿.xlsx”。
    用 --regenerate 年度 以登记簿存档的输入文件重新生成该轮结果，逐字节核对通报和汇总表。"""
    from .registry import describe, regenerate, report

    register = register_folder(args)
    if args.regenerate:
        found = regenerate(register, args.regenerate, args.round_version, args.output, args.input)
        record = found.record
        print(
            f"{record.round_key}第{record.version}版（{record.publication_date.isoformat()}发布，程序版本{found.program_version}）："
        )
        for label, same in (("通报", found.notice_same), ("汇总表", found.workbook_same)):
            print(f"  {label}：{'与登记的完全一致' if same else '与登记的不一致'}")
        if found.output is not None:
            print(f"重新生成的结果已写入 {printable(str(found.output))}")
        if not found.same:
            print_problems([p for p in found.problems if p.is_error])
            if found.program_version != __version__:
                print(
                    f"重新生成的结果与发布时不同：该轮由程序版本{found.program_version}发布，本程序为{__version__}；请用发布时的版本重新生成。"
                )
            else:
                print(
                    f"重新生成的结果与发布时不同，而程序版本相同（{__version__}）：登记簿中的记录可能被改动过；"
                    "请保留登记簿文件夹原样，联系维护人员核查。"
                )
            return EXIT_PROBLEMS
        return EXIT_OK
    view, note = report(register, args.date)
    for line in describe(view):
        print(printable(line))
    if note is not None:
        print_problems([note])
    else:
        print(f"登记簿工作簿：{printable(str(register / C.REGISTER_BOOK))}")
    return EXIT_OK


def adjust(args) -> int:
    """登记等级确定后的决定：被通报批评或曝光后，领导小组决定降低等级或取消等级的，
    填入等级调整记录表（乡镇、评定年度、决定日期、来源、事由、处理、文号）。每项决定对照登记簿检查，
    全部无错误时记入登记簿（该乡镇自决定日期起的等级），并为每项决定生成一份等级调整通报；
    原来的结果通报和汇总表保持不变。已计入绩效考评的加分是否随之调整，按该轮 settings.toml 的 [decisions]。"""
    from .registry import adjust

    outcome = adjust(args.table, register_folder(args), args.output, pdf=args.pdf)
    print_problems(outcome.problems)
    print(summary(outcome.problems))
    if not outcome.ok:
        print("有错误，未登记任何决定，也未生成调整通报。请改正等级调整记录表后重新运行。")
        return EXIT_PROBLEMS
    for d in outcome.made:
        print(
            f"已登记：{printable(d.township)} {d.decided_on.isoformat()} {d.action}，{d.grade_before}→{d.grade_after}（{printable(d.document_number)}）"
        )
    for note in outcome.notes:
        print(f"说明：{printable(note.message)}。")
    print("等级调整通报：")
    for path in outcome.written:
        print(f"  {printable(str(path))}")
    return EXIT_OK
