"""The catalogue of problems: stable codes, each declared once with its severity, its Chinese
message and its fix (as pyxform's ``ErrorCode`` members carry theirs).

A problem is data (code, file, sheet, cell, item, value), collected while reading and checked
after everything has been read. Tests assert codes and positions, never the sentences. Most codes
are about the inputs; a few are notes of the run itself (a tie for the leading group to decide,
a PDF that could not be made), which the batch keeps apart from the inputs' problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum, unique


class Severity(StrEnum):
    ERROR = "错误"  # blocks publication
    WARNING = "警告"  # published, listed for the clerk
    INFO = "说明"  # what the clerk should know about the outputs


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - the catalogue's shorthand


@unique  # two codes with the same entry would silently become one
class Code(Enum):
    """Each member is (severity, what is wrong, what to do). The texts may use {value}, {item}
    and the problem's own parameters."""

    def __init__(self, severity: Severity, text: str, fix: str):
        self.severity = severity
        self.text = text
        self.fix = fix

    def __str__(self) -> str:
        return self.name

    # files
    FILE_EMPTY = (E, "文件是空的（0字节）", "请向评定人员重新索取该文件")
    FILE_UNREADABLE = (E, "文件无法打开：{detail}", "请检查文件是否被其他程序占用或没有读取权限")
    FILE_NOT_XLSX = (
        E,
        "文件扩展名是 .xlsx，但内容不是Excel工作簿（看起来是{kind}）",
        "请用Excel或WPS打开原评分表，另存为“Excel工作簿(*.xlsx)”后再放入",
    )
    FILE_OLD_FORMAT = (
        E,
        "文件是旧版Excel（.xls）或WPS（.et）格式，不是本次下发的.xlsx评分表",
        "请用Excel或WPS打开，另存为“Excel工作簿(*.xlsx)”后再放入",
    )
    FILE_ENCRYPTED = (
        E,
        "文件设置了打开密码，程序无法读取",
        "请在Excel或WPS中取消文件的打开密码后另存为.xlsx再放入",
    )
    FILE_MACRO = (
        E,
        "文件是启用宏的工作簿（.xlsm），不是本次下发的评分表格式",
        "请另存为“Excel工作簿(*.xlsx)”（不含宏）后再放入",
    )
    FILE_CORRUPT = (
        E,
        "文件已损坏，无法读取（{detail}）",
        "请向评定人员重新索取该文件，或在Excel中打开修复后另存",
    )
    # The limits are in xlsx/gate.py (MAX_*). Not a problem by choice: a stray cell far outside the
    # table (XFD1048576) is read and ignored, since cells are kept in a dict and cost nothing.
    FILE_TOO_LARGE = (
        E,
        "文件超出评分表应有的大小，为安全起见未读取（{detail}）",
        "评分表只应包含下发的表格；请在空白模板中重新填写",
    )
    FILE_UNSAFE = (
        E,
        "文件含有评分表不应有的内容，为安全起见未读取（{detail}）",
        "请在下发的空白模板中重新填写后放入",
    )
    FILE_WRONG_TYPE = (
        E,
        "输入文件夹中有{kind}文件，程序只读取.xlsx评分表",
        "如是评分表，请另存为“Excel工作簿(*.xlsx)”；如不是，请移出输入文件夹",
    )
    FILE_IGNORED = (W, "该文件不是评分表或汇总用表，已忽略", "如不需要，可移出输入文件夹")
    NO_SHEETS = (E, "输入文件夹中没有任何评分表（.xlsx）", "请把各乡镇填好的评分表放入输入文件夹")
    # the score sheet's structure
    SHEET_MISSING = (
        E,
        "找不到名为“{expected}”的工作表（文件中的工作表：{found}）",
        "请使用下发的评分表模板，不要重命名或删除“{expected}”工作表",
    )
    SHEET_HIDDEN = (E, "“{expected}”工作表被隐藏了", "请在Excel中取消隐藏该工作表后保存")
    NOT_TEMPLATE = (
        E,
        "该文件不是用本次下发的评分表模板填写的（缺少模板标记）",
        "请把得分抄到下发的空白评分表模板中重新提交",
    )
    RUBRIC_MISMATCH = (
        E,
        "该评分表来自其他版本的评分标准（表中版本{found}，本次应为{expected}）",
        "请把得分抄到本次下发的{expected}版空白评分表模板中重新提交",
    )
    HEADER_MISSING = (
        E,
        "找不到表头行（应含“{columns}”各列）",
        "请使用下发的评分表模板，不要修改或删除表头行",
    )
    LABEL_MISSING = (
        W,
        "找不到受保护的“{label}”标签（可能被改动或删除），无法读取其右侧填写的内容",
        "请使用下发的评分表模板，不要修改“{label}”标签；下面关于该项的问题由此引起",
    )
    ITEM_MISSING = (
        E,
        "找不到编号为{item}的评分项目（“{name}”）所在的行",
        "该行可能被删除或“编号”被改动；请恢复该行，或在空白模板中重新填写",
    )
    ITEM_DUPLICATE = (E, "编号{item}出现了不止一次（另见{other}）", "每个评分项目只能有一行；请删除多余的行")
    ITEM_UNKNOWN = (
        W,
        "该行不是评分标准中的项目（编号“{found}”），表中填写的得分“{value}”不计入总分",
        "如是插入的行，请删除；如是某项目的得分，请填写在该项目编号所在的行",
    )
    LOCKED_CELL_EDITED = (
        W,
        "受保护的“{column}”单元格被改动：应为“{expected}”，表中为“{value}”",
        "程序按评分标准读取，不受影响；请确认得分填写在正确的项目行",
    )
    MAXIMUM_EDITED = (
        W,
        "项目{item}的分值被改为{value}，评分标准为{expected}分",
        "程序按评分标准的{expected}分校验得分；请核实评定人员的打分依据",
    )
    PROTECTION_REMOVED = (
        W,
        "评分表的工作表保护已被取消",
        "程序仍按评分标准校验；请核对项目、分值等固定内容未被改动",
    )
    TOWNSHIP_MISSING = (E, "没有填写乡镇名称", "请在“乡镇名称”右侧的单元格填写乡镇全称")
    INSPECTORS_MISSING = (W, "没有填写评定人员", "请在“评定人员”右侧的单元格填写评定人员姓名")
    DATE_MISSING = (W, "没有填写评定日期", "请在“评定日期”右侧的单元格填写日期，如2022-08-15")
    DATE_INVALID = (W, "评定日期“{value}”不是有效日期", "请填写日期，如2022-08-15")
    # score and remark cells
    SCORE_BLANK = (E, "项目{item}没有填写得分", "请填写0至{maximum}之间的得分；满分也要填写（{maximum}）")
    SCORE_NOT_NUMBER = (
        E,
        "项目{item}的得分“{value}”不是数字",
        "请只填写数字（0至{maximum}，最小单位{resolution}），不要带“分”字或其他文字",
    )
    SCORE_NEGATIVE = (E, "项目{item}的得分{value}小于0", "得分最低为0，请改为0至{maximum}之间的数")
    SCORE_ABOVE_MAX = (E, "项目{item}的得分{value}超过该项分值{maximum}分", "请改为0至{maximum}之间的数")
    SCORE_TOO_FINE = (
        E,
        "项目{item}的得分{value}不是{resolution}的整数倍",
        "得分最小单位为{resolution}分，请按评分标准改正（如{suggestion}）",
    )
    SCORE_AWARD_PARTIAL = (
        E,
        "项目{item}是加分项，只能得{maximum}分或0分，表中为{value}",
        "符合条件填{maximum}，不符合填0",
    )
    SCORE_ERROR_VALUE = (
        E,
        "项目{item}的得分单元格显示错误值{value}",
        "请删除公式，直接填写0至{maximum}之间的得分",
    )
    SCORE_BOOLEAN = (E, "项目{item}的得分是逻辑值{value}，不是分数", "请直接填写0至{maximum}之间的得分")
    SCORE_DATE = (
        E,
        "项目{item}的得分单元格是日期格式（{value}）",
        "请把该单元格格式改为“常规”或“数值”，重新填写得分",
    )
    FORMULA_NO_VALUE = (
        E,
        "项目{item}的得分单元格是公式“{value}”，但文件中没有计算结果",
        "请在Excel或WPS中打开并保存一次，或直接填写得分数字",
    )
    SCORE_FORMULA = (
        W,
        "项目{item}的得分由公式“{formula}”算出，按其结果{value}计分",
        "建议直接填写得分数字，以免公式被误改",
    )
    # Text is never a score, even text that reads as a number: the score sheet marks it red.
    NUMBER_AS_TEXT = (
        E,
        "项目{item}的得分“{value}”是以文本形式保存的，不是数字（评分表中标为红色），不计分",
        "请把单元格格式改为“常规”或“数值”，删除后重新输入数字（如{score}）",
    )
    FULL_WIDTH_DIGITS = (
        E,
        "项目{item}的得分“{value}”用了全角字符，是文字而不是数字（评分表中标为红色），不计分",
        "请切换到半角（英文）输入法，删除后重新输入数字（如{score}）",
    )
    DECIMAL_COMMA = (
        E,
        "项目{item}的得分“{value}”用逗号作小数点，是文字而不是数字（评分表中标为红色），不计分",
        "请用小数点“.”重新输入（如{score}）",
    )
    REMARK_MISSING = (
        W,
        "项目{item}扣了{deduction}分（得分{value}，分值{maximum}），但没有填写扣分说明",
        "请评定人员在“扣分说明”栏写明扣分原因，领导小组审批时会核对",
    )
    COMPUTED_ITEM_FILLED = (
        W,
        "项目{item}由程序根据办件数量计算，表中填写的“{value}”不予采用",
        "无需填写该项；如对办件数量有异议，请核对办件数量表",
    )
    TOTAL_MISMATCH = (
        W,
        "表中“总分”显示{value}，与各项得分之和{expected}不一致（不含{computed}）",
        "程序按各项得分重新计算，不受影响；请检查表中的合计公式是否被改动",
    )
    # across files
    TOWNSHIP_DUPLICATE = (
        E,
        "乡镇“{value}”同时出现在多份评分表中（另见{other}）",
        "每个乡镇只能提交一份评分表；请删除重复的文件，或改正乡镇名称",
    )
    NAME_MATCHED_LOOSELY = (
        W,
        "“{value}”与评分表中的乡镇“{matched}”名称不完全一致，已按同一乡镇处理",
        "请把名称改为与评分表一致的“{matched}”",
    )
    # companion tables
    TABLE_MISSING = (
        E,
        "输入文件夹中缺少{table}（{expected}）",
        "请把{table}放入输入文件夹，文件名为{expected}；没有内容也要放入只含表头的空表",
    )
    TABLE_HEADER_MISSING = (E, "{table}中找不到表头“{columns}”", "请使用下发的{table}模板，表头保持不变")
    UNIT_BLANK = (E, "第{row}行有办件数量但没有单位名称", "请填写单位名称，或删除该行")
    UNIT_DUPLICATE = (
        E,
        "单位“{value}”在办件数量表中出现了不止一次（另见{other}）",
        "每个单位只能有一行，请合并或删除",
    )
    CASE_COUNT_BLANK = (E, "单位“{unit}”没有填写办件数量", "请填写办件数量（整数）；没有办件填0")
    CASE_COUNT_INVALID = (
        E,
        "单位“{unit}”的办件数量“{value}”不是非负整数",
        "请填写0或正整数，不要带单位或文字",
    )
    TOWNSHIP_NO_CASE_COUNT = (
        E,
        "乡镇“{value}”有评分表，但办件数量表中没有它的办件数量，无法计算项目3.1",
        "请在办件数量表中增加该乡镇一行，名称与评分表一致",
    )
    CRITICISM_UNKNOWN_TOWNSHIP = (
        E,
        "通报批评记录中的乡镇“{value}”没有对应的评分表",
        "请改为与评分表一致的乡镇名称；如该乡镇未参评，请删除该行",
    )
    CRITICISM_SOURCE_INVALID = (
        E,
        "来源“{value}”不是评定方案规定的来源（{allowed}）",
        "请从下拉列表中选择来源；其他来源的批评不作为降级依据，请删除该行",
    )
    CRITICISM_DATE_INVALID = (E, "日期“{value}”无法识别", "请填写日期，如2022-06-30")
    CRITICISM_REASON_MISSING = (E, "没有填写事由", "请填写被通报批评或曝光的事由")
    CRITICISM_ACTION_INVALID = (
        E,
        "处理“{value}”无法识别",
        "请留空（按方案降低一个等级），或从下拉列表选择：{allowed}",
    )
    CRITICISM_NOT_COUNTED = (
        W,
        "该记录日期{value}早于设置中的起算日期{since}，不作为降级依据",
        "如应计入，请修改输入文件夹中settings.toml的[criticisms] since",
    )
    # the roster
    ROSTER_NO_SHEET = (
        E,
        "名单中的乡镇“{value}”还没有交回评分表",
        "请催交该乡镇的评分表并放入输入文件夹；确实不参评的，请从名单中删除",
    )
    SHEET_NOT_ON_ROSTER = (
        E,
        "评分表中的乡镇“{value}”不在乡镇名单中",
        "请核对“乡镇名称”是否写错；如名单漏列，请在名单中补上",
    )
    ROSTER_DUPLICATE = (E, "乡镇“{value}”在名单中出现了不止一次（另见{other}）", "请删除重复的行")
    ROSTER_EMPTY = (E, "名单中没有任何乡镇", "请在“{column}”列下逐行填写乡镇名称")
    # the round
    SETTINGS_INVALID = (E, "设置有误：{detail}", "请按settings.toml中的说明改正")
    INTERNAL_ERROR = (
        E,
        "处理该文件时程序出错：{detail}",
        "请把输出文件夹中的error.log发给维护人员；其他文件的检查结果仍然有效",
    )
    # notes of the run itself (Outcome.notes), not problems of the inputs
    TIE_AT_BOUNDARY = (
        W,
        "{value}总分相同（{total}分）并列第{rank}名，跨越“{upper}”与“{lower}”的名次界线，均按第{rank}名评为{upper}",
        "请领导小组研究确定",
    )
    PDF_NOT_MADE = (
        W,
        "未生成PDF通报（{value}）；HTML通报和汇总表已正常生成",
        "用浏览器打开notice.html打印或另存为PDF：Chrome、Edge不会在每页印上日期和网址，其他浏览器请在打印设置中取消勾选“页眉和页脚”；双面打印时总页数为奇数的，在版记页前加一张空白页。需要自动生成PDF时请安装Chromium（Debian/Ubuntu：apt install chromium fonts-noto-cjk）",
    )
    PDF_MADE = (I, "PDF通报由{browser}生成（{path}）", "如需重新生成，再次运行即可")
    ROUND_SPLIT = (
        I,
        "乡镇数超过{limit}个：逐项得分和扣分明细另存为{items}和{deductions}，不生成每个乡镇的反馈页，通报只列出获评等级和被降级的乡镇",
        "用Excel打开CSV文件查看明细",
    )


@dataclass(frozen=True)
class Problem:
    """One problem, where the user sees it: file, sheet, A1 cell (1-based), item code."""

    code: Code
    file: str = ""
    sheet: str = ""
    cell: str = ""
    item: str = ""
    value: str = ""
    params: tuple[tuple[str, str], ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def is_error(self) -> bool:
        return self.code.severity is Severity.ERROR

    def _fields(self) -> dict[str, str]:
        return {"value": self.value, "item": self.item, **dict(self.params)}

    @property
    def message(self) -> str:
        return self.code.text.format_map(_Lenient(self._fields()))

    @property
    def fix(self) -> str:
        return self.code.fix.format_map(_Lenient(self._fields()))

    @property
    def where(self) -> str:
        """``sheet!A1`` as Excel shows it, or the sheet alone, or nothing."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell


class _Lenient(dict):
    """A missing placeholder shows as itself rather than crashing a report."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def problem(code: Code, *, file="", sheet="", cell="", item="", value="", **params) -> Problem:
    """Build a problem; extra keyword arguments fill the message's placeholders."""
    return Problem(
        code,
        file=str(file),
        sheet=sheet,
        cell=cell,
        item=item,
        value="" if value is None else str(value),
        params=tuple(sorted((k, str(v)) for k, v in params.items())),
    )


def has_errors(problems) -> bool:
    return any(p.is_error for p in problems)
