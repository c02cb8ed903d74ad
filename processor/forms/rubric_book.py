"""Rubric -> the workbook a clerk edits for a round (``processor rubric``), in the shape of the
plan's attachment: 评分标准 (one row per item: 类别, 编号, 项目, 评选内容/评分标准, 分值, 计分方式 …),
类别 (categories and their totals), 等级 (how grades are given, and the bonus), 一票否决 (veto
matters) and 填写说明. ``inputs.rubric_book`` reads it back; the 2022 table written and read
again is the same rubric, fingerprint included.

The same writer takes a draft from the plan's Word document (``inputs.plan_docx``): cells it
could not read with certainty are left as found and marked in the 待核对 column (orange), never
guessed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import constants as C
from ..rules.draft import Draft
from ..rules.panel import RULES
from ..rules.rubric import Rubric
from ..xlsx.save import save_reproducibly
from .score_sheet import BOLD, BOX, CENTER, HEADER_FILL, WRAP

KIND_OF = {kind: name for name, kind in C.KIND_NAMES.items()}
ITEM_COLUMNS = (
    (C.R_CATEGORY, 12),
    (C.R_CODE, 7),
    (C.R_NAME, 18),
    (C.R_GROUP, 10),
    (C.R_CRITERIA, 60),
    (C.R_MAXIMUM, 7),
    (C.R_KIND, 11),
    (C.R_FIRST, 9),
    (C.R_STEP, 9),
    (C.R_FLOOR, 9),
    (C.R_REQUIRED, 8),
    (C.R_CAP, 12),
    (C.R_CHECK, 30),
)
CATEGORY_COLUMNS = (
    (C.R_NUMBER, 6),
    (C.R_NUMERAL, 8),
    (C.R_CATEGORY, 16),
    (C.R_MAXIMUM, 8),
    (C.R_REQUIRED, 8),
    (C.R_CAP, 12),
    (C.R_CHECK, 30),
)
GRADE_COLUMNS = (
    (C.G_NAME, 10),
    (C.G_FROM, 8),
    (C.G_TO, 8),
    (C.G_MIN_TOTAL, 9),
    (C.G_MIN_SHARE, 12),
    (C.G_QUOTA, 7),
    (C.G_QUOTA_SHARE, 11),
    (C.G_BONUS, 9),
    (C.R_CHECK, 30),
)
HEAD_LABELS = (C.R_TITLE, C.R_YEAR, C.R_VERSION, C.R_RESOLUTION, C.R_TOTAL)
ITEMS_HEADER_ROW = len(HEAD_LABELS) + 2
MARK_FILL = PatternFill("solid", fgColor="FFD966")


def draft_of(rubric: Rubric) -> Draft:
    def required(req) -> dict[str, object]:
        return {C.R_REQUIRED: req.minimum, C.R_CAP: req.cap} if req else {}

    items = []
    for item in rubric.items:
        row = {
            C.R_CATEGORY: rubric.category(item.category).name,
            C.R_CODE: item.code,
            C.R_NAME: item.name,
            C.R_GROUP: item.group,
            C.R_CRITERIA: item.criteria,
            C.R_MAXIMUM: item.maximum,
            C.R_KIND: KIND_OF[item.kind],
            **required(item.required),
        }
        if item.ranking:
            row.update(
                {C.R_FIRST: item.ranking.first, C.R_STEP: item.ranking.step, C.R_FLOOR: item.ranking.floor}
            )
        items.append(row)
    categories = [
        {
            C.R_NUMBER: c.number,
            C.R_NUMERAL: c.numeral,
            C.R_CATEGORY: c.name,
            C.R_MAXIMUM: c.total,
            **required(c.required),
        }
        for c in rubric.categories
    ]
    grades = []
    for g in rubric.grading.grades:
        grades.append(
            {
                C.G_NAME: g.name,
                C.G_FROM: g.ranks[0] if g.ranks else None,
                C.G_TO: g.ranks[1] if g.ranks else None,
                C.G_MIN_TOTAL: g.min_total,
                C.G_MIN_SHARE: g.min_share,
                C.G_QUOTA: g.quota,
                C.G_QUOTA_SHARE: g.quota_share,
                C.G_BONUS: g.bonus,
            }
        )
    head = {
        C.R_TITLE: rubric.title,
        C.R_YEAR: rubric.year,
        C.R_VERSION: rubric.version,
        C.R_RESOLUTION: rubric.resolution,
        C.R_TOTAL: rubric.total,
    }
    panel = rubric.panel
    rounding = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "直接舍去"}
    panel_rows = {
        C.P_RULE: RULES[panel.rule],
        C.P_TRIM: panel.trim_above,
        C.P_MIN: panel.min_evaluators,
        C.P_ROUNDING: rounding[panel.rounding],
        C.P_MARGIN: panel.margin,
        C.P_MARGIN_SHARE: panel.margin_share,
    }
    return Draft(head, items, categories, grades, list(rubric.grading.vetoes), panel_rows)


def _value(value):
    """Decimals as Excel numbers (3 rather than 3.0); everything else as it is."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return int(text) if "." not in text else float(text)
    return value


def _table(ws, columns, rows: list[dict[str, object]], first_row: int) -> None:
    for col, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(first_row, col, title)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BOX, CENTER
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=first_row + 1):
        for col, (title, _) in enumerate(columns, start=1):
            cell = ws.cell(r, col, _value(row.get(title)))
            cell.border, cell.alignment = BOX, WRAP
            if row.get(C.R_CHECK):
                cell.fill = MARK_FILL
    ws.freeze_panes = ws.cell(first_row + 1, 1)


def _choices(ws, column: int, first: int, values: list[str], prompt: str) -> None:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="无效",
        error=prompt,
    )
    letter = get_column_letter(column)
    dv.add(f"{letter}{first}:{letter}{first + 500}")
    ws.add_data_validation(dv)


def build_rubric_book(draft: Draft) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = C.RUBRIC_SHEET
    for r, label in enumerate(HEAD_LABELS, start=1):
        ws.cell(r, 1, label).font = BOLD
        ws.cell(r, 2, _value(draft.head.get(label)))
    _table(ws, ITEM_COLUMNS, draft.items, ITEMS_HEADER_ROW)
    titles = [title for title, _ in ITEM_COLUMNS]
    _choices(
        ws,
        titles.index(C.R_KIND) + 1,
        ITEMS_HEADER_ROW + 1,
        list(C.KIND_NAMES),
        "计分方式只能是评分、加分或按排名计算",
    )
    caps = [str(g[C.G_NAME]) for g in draft.grades if g.get(C.G_NAME)] + [C.NO_GRADE]
    _choices(ws, titles.index(C.R_CAP) + 1, ITEMS_HEADER_ROW + 1, caps, "请选择一个等级或无等级")

    ws = wb.create_sheet(C.RUBRIC_CATEGORIES_SHEET)
    _table(ws, CATEGORY_COLUMNS, draft.categories, 1)
    _choices(ws, [t for t, _ in CATEGORY_COLUMNS].index(C.R_CAP) + 1, 2, caps, "请选择一个等级或无等级")
    ws = wb.create_sheet(C.RUBRIC_GRADES_SHEET)
    _table(ws, GRADE_COLUMNS, draft.grades, 1)
    ws = wb.create_sheet(C.RUBRIC_VETOES_SHEET)
    _table(ws, ((C.V_MATTER, 50),), [{C.V_MATTER: v} for v in draft.vetoes], 1)
    ws = wb.create_sheet(C.RUBRIC_PANEL_SHEET)
    _table(ws, (("项目", 36), ("设置", 24)), [{"项目": k, "设置": v} for k, v in draft.panel.items()], 1)
    rule = DataValidation(type="list", formula1='"' + ",".join(RULES.values()) + '"', showErrorMessage=True)
    rule.error = "合并方式只能是单人评定、平均分、去掉最高最低分后平均或分类评定"
    rule.add("B2")
    ws.add_data_validation(rule)
    ws = wb.create_sheet(C.RUBRIC_NOTES_SHEET)
    ws.column_dimensions["A"].width = 110
    for r, line in enumerate(NOTES, start=1):
        cell = ws.cell(r, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = BOLD
    return wb


NOTES = (
    "填写说明：本工作簿是一轮评定的评分标准和等级评定办法。改好后以 rubric.xlsx 为名放入本轮的输入文件夹，"
    "生成评分表模板、校验评分表和定级都按它进行；没有这个文件时使用程序自带的2022年评分标准。",
    "1. “评分标准”工作表：上方填写标题、年度、版本（每次修改都要改版本，如2025.1；已下发的评分表按版本识别）、"
    "最小单位（得分的最小单位，如0.1）和总分。下方每个评分项目一行：类别（与“类别”工作表中的名称一致）、编号"
    "（以类别序号开头，如3.1）、项目、分组（可空）、评选内容/评分标准、分值、计分方式。",
    "2. 计分方式：评分＝评定人员打分，0至分值，扣完为止；加分＝符合条件得满分，否则得0分；按排名计算＝按各单位"
    "办件数量排名计分（如3.1），须填排名第一得分、每名递减、保底得分，评分表中不填写。",
    "3. 必达分（可空）：该项目得分低于必达分时，等级最高只能评为“未达必达分时最高等级”（选“无等级”即不予评定等级）。"
    "“类别”工作表中的必达分对该类小计同样适用。",
    "4. “类别”工作表：每个类别一行：序号、中文序号（一、二…）、类别名称、分值（该类项目分值之和）。",
    "5. “等级”工作表：从最高等级起每个等级一行。条件都可空，填了的都要满足：名次起止（按总分排名，如第1至2名）、"
    "最低总分（如90）、各类最低得分率（%，每一类小计都不低于该类分值的这个比例）、名额（最多几个）、名额比例"
    "（%，最多占参评乡镇的比例，向下取整）。每个乡镇评为条件都满足、名额未满的最高等级；名额按名次分配，"
    "并列跨越名额界线的均评为该等级并标出，请领导小组研究。绩效加分为该等级在年度绩效考评中的加分。",
    "6. “一票否决”工作表（可空）：每个否决事项一行。有否决事项时，输入文件夹中要有一票否决记录表 vetoes.xlsx"
    "（乡镇、日期、否决事项、事由；没有记录也要放入只含表头的空表），有记录的乡镇不予评定等级。",
    "7. “待核对”一栏是程序从方案 Word 文件中读取时没有把握的地方（橙色），请逐项核对改正后清空该栏；"
    "还有待核对内容的评分标准不能使用。",
    "8. “合议”工作表：几名评定人员分别打分时怎样合并。合并方式：单人评定（每个乡镇一份评定表，本县方案）、平均分、"
    "去掉最高最低分后平均（评定人数多于所填人数时去掉一个最高分和一个最低分）、分类评定（每一类由其中一份评定表评分）；"
    "平均分按舍入方式保留到最小单位，总分为各项之和；评定人员对同一项目的评分相差超过所填分数（或占分值的比例）时列出，请领导小组研究。",
    "9. 本轮通报批评降低等级的规则和来源在 settings.toml 中（[criticisms]）。",
)


def write_rubric_book(draft: Draft, path: Path, year: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(build_rubric_book(draft), path, dt.datetime(year, 1, 1))
    return path
