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

    # One code a line, so that the catalogue reads as a table: (severity, what is wrong, what to do).
    # fmt: off
    # files
    FILE_EMPTY = (E, "文件是空的（0字节）", "请向评定人员重新索取该文件")
    FILE_UNREADABLE = (E, "文件无法打开：{detail}", "请检查文件是否被其他程序占用或没有读取权限")
    FILE_NOT_XLSX = (E, "文件扩展名是 .xlsx，但内容不是Excel工作簿（看起来是{kind}）", "请用Excel或WPS打开原评分表，另存为“Excel工作簿(*.xlsx)”后再放入")
    FILE_OLD_FORMAT = (E, "文件是旧版Excel（.xls）或WPS（.et）格式，不是本次下发的.xlsx评分表", "请用Excel或WPS打开，另存为“Excel工作簿(*.xlsx)”后再放入")
    FILE_ENCRYPTED = (E, "文件设置了打开密码，程序无法读取", "请在Excel或WPS中取消文件的打开密码后另存为.xlsx再放入")
    FILE_MACRO = (E, "文件是启用宏的工作簿（.xlsm），不是本次下发的评分表格式", "请另存为“Excel工作簿(*.xlsx)”（不含宏）后再放入")
    FILE_CORRUPT = (E, "文件已损坏，无法读取（{detail}）", "请向评定人员重新索取该文件，或在Excel中打开修复后另存")
    # The limits are in xlsx/gate.py (MAX_*). Not a problem by choice: a stray cell far outside the
    # table (XFD1048576) is read and ignored, since cells are kept in a dict and cost nothing.
    FILE_TOO_LARGE = (E, "文件超出评分表应有的大小，为安全起见未读取（{detail}）", "评分表只应包含下发的表格；请在空白模板中重新填写")
    FILE_UNSAFE = (E, "文件含有评分表不应有的内容，为安全起见未读取（{detail}）", "请在下发的空白模板中重新填写后放入")
    FILE_WRONG_TYPE = (E, "输入文件夹中有{kind}文件，程序只读取.xlsx评分表", "如是评分表，请另存为“Excel工作簿(*.xlsx)”；如不是，请移出输入文件夹")
    FILE_IGNORED = (W, "该文件不是评分表或汇总用表，已忽略", "如不需要，可移出输入文件夹")
    FILE_HIDDEN = (W, "这是隐藏文件（文件名以“.”开头），未读取", "如是评分表，请去掉文件名开头的“.”；如是其他电脑留下的附属文件（如“._”开头），可以删除")
    FILE_NOT_REGULAR = (E, "名称像{role}，但它是{kind}，不是可以读取的文件", "请把真正的文件（不是快捷方式、文件夹）放入输入文件夹；如不需要，请移出")
    FILE_NAME_ENCODING = (W, "文件名不是UTF-8编码（常见于在其他电脑上解压Windows压缩包），显示为“{value}”", "如名称显示有误，请把文件改名后重新放入")
    COMPANION_AMBIGUOUS = (E, "输入文件夹中有不止一个{table}：本文件和{others}（文件名只差大小写或全角/半角），无法确定用哪一个", "请只保留一个，文件名为{expected}")
    SETTINGS_MISNAMED = (E, "这像是本轮设置文件，但设置文件必须名为{expected}，该文件未被读取", "如是本轮设置，请改名为{expected}（注意Windows可能隐藏了“.txt”扩展名）；如不是，请移出输入文件夹")
    SUBFOLDER_HAS_SHEETS = (E, "子文件夹中有.xlsx文件，但程序只读取输入文件夹本身中的文件，子文件夹中的评分表不会被汇总", "请把评分表移到输入文件夹中，或把该子文件夹移出输入文件夹")
    FOLDER_IGNORED = (W, "输入文件夹中的子文件夹不会被读取", "如不需要，可移出输入文件夹")
    NO_SHEETS = (E, "输入文件夹中没有任何评分表（.xlsx）", "请把各乡镇填好的评分表放入输入文件夹")
    # the score sheet's structure
    SHEET_MISSING = (E, "找不到名为“{expected}”的工作表（文件中的工作表：{found}）", "请使用下发的评分表模板，不要重命名或删除“{expected}”工作表")
    SHEET_HIDDEN = (E, "“{expected}”工作表被隐藏了", "请在Excel中取消隐藏该工作表后保存")
    NOT_TEMPLATE = (E, "该文件不是用本次下发的评分表模板填写的（缺少模板标记）", "请把得分抄到下发的空白评分表模板中重新提交")
    RUBRIC_MISMATCH = (E, "该评分表来自其他版本的评分标准（表中版本{found}，本次应为{expected}）", "请把得分抄到本次下发的{expected}版空白评分表模板中重新提交")
    HEADER_MISSING = (E, "找不到表头行（应含“{columns}”各列）", "请使用下发的评分表模板，不要修改或删除表头行")
    LABEL_MISSING = (W, "找不到受保护的“{label}”标签（可能被改动或删除），无法读取其右侧填写的内容", "请使用下发的评分表模板，不要修改“{label}”标签；下面关于该项的问题由此引起")
    ITEM_MISSING = (E, "找不到编号为{item}的评分项目（“{name}”）所在的行", "该行可能被删除或“编号”被改动；请恢复该行，或在空白模板中重新填写")
    ITEM_DUPLICATE = (E, "编号{item}出现了不止一次（另见{other}）", "每个评分项目只能有一行；请删除多余的行")
    ITEM_UNKNOWN = (W, "该行不是评分标准中的项目（编号“{found}”），表中填写的得分“{value}”不计入总分", "如是插入的行，请删除；如是某项目的得分，请填写在该项目编号所在的行")
    LOCKED_CELL_EDITED = (W, "受保护的“{column}”单元格被改动：应为“{expected}”，表中为“{value}”", "程序按评分标准读取，不受影响；请确认得分填写在正确的项目行")
    MAXIMUM_EDITED = (W, "项目{item}的分值被改为{value}，评分标准为{expected}分", "程序按评分标准的{expected}分校验得分；请核实评定人员的打分依据")
    PROTECTION_REMOVED = (W, "评分表的工作表保护已被取消", "程序仍按评分标准校验；请核对项目、分值等固定内容未被改动")
    TOWNSHIP_MISSING = (E, "没有填写乡镇名称", "请在“乡镇名称”右侧的单元格填写乡镇全称")
    INSPECTORS_MISSING = (W, "没有填写{label}", "请在“{label}”右侧的单元格填写姓名")
    DATE_MISSING = (W, "没有填写评定日期", "请在“评定日期”右侧的单元格填写日期，如2022-08-15")
    DATE_INVALID = (W, "评定日期“{value}”不是有效日期", "请填写日期，如2022-08-15")
    # score and remark cells
    SCORE_BLANK = (E, "项目{item}没有填写得分", "请填写0至{maximum}之间的得分；满分也要填写（{maximum}）")
    SCORE_NOT_NUMBER = (E, "项目{item}的得分“{value}”不是数字", "请只填写数字（0至{maximum}，最小单位{resolution}），不要带“分”字或其他文字")
    SCORE_NEGATIVE = (E, "项目{item}的得分{value}小于0", "得分最低为0，请改为0至{maximum}之间的数")
    SCORE_ABOVE_MAX = (E, "项目{item}的得分{value}超过该项分值{maximum}分", "请改为0至{maximum}之间的数")
    SCORE_TOO_FINE = (E, "项目{item}的得分{value}不是{resolution}的整数倍", "得分最小单位为{resolution}分，请按评分标准改正（如{suggestion}）")
    SCORE_AWARD_PARTIAL = (E, "项目{item}是加分项，只能得{maximum}分或0分，表中为{value}", "符合条件填{maximum}，不符合填0")
    SCORE_ERROR_VALUE = (E, "项目{item}的得分单元格显示错误值{value}", "请删除公式，直接填写0至{maximum}之间的得分")
    SCORE_INVISIBLE = (E, "项目{item}的得分“{value}”中有看不见的字符：{chars}，不是数字", "请清空该单元格后重新输入数字（从网页或聊天软件复制的内容常带有这些字符）")
    SCORE_BOOLEAN = (E, "项目{item}的得分是逻辑值{value}，不是分数", "请直接填写0至{maximum}之间的得分")
    SCORE_DATE = (E, "项目{item}的得分单元格是日期格式（{value}）", "请把该单元格格式改为“常规”或“数值”，重新填写得分")
    FORMULA_NO_VALUE = (E, "项目{item}的得分单元格是公式“{value}”，但文件中没有计算结果", "请在Excel或WPS中打开并保存一次，或直接填写得分数字")
    SCORE_FORMULA = (W, "项目{item}的得分由公式“{formula}”算出，按其结果{value}计分", "建议直接填写得分数字，以免公式被误改")
    # Text is never a score, even text that reads as a number: the score sheet marks it red.
    NUMBER_AS_TEXT = (E, "项目{item}的得分“{value}”是以文本形式保存的，不是数字（评分表中标为红色），不计分", "请把单元格格式改为“常规”或“数值”，删除后重新输入数字（如{score}）")
    FULL_WIDTH_DIGITS = (E, "项目{item}的得分“{value}”用了全角字符，是文字而不是数字（评分表中标为红色），不计分", "请切换到半角（英文）输入法，删除后重新输入数字（如{score}）")
    DECIMAL_COMMA = (E, "项目{item}的得分“{value}”用逗号作小数点，是文字而不是数字（评分表中标为红色），不计分", "请用小数点“.”重新输入（如{score}）")
    REMARK_MISSING = (W, "项目{item}扣了{deduction}分（得分{value}，分值{maximum}），但没有填写扣分说明", "请评定人员在“扣分说明”栏写明扣分原因，领导小组审批时会核对")
    COMPUTED_ITEM_FILLED = (W, "项目{item}由程序根据办件数量计算，表中填写的“{value}”不予采用", "无需填写该项；如对办件数量有异议，请核对办件数量表")
    TOTAL_MISMATCH = (W, "表中“总分”显示{value}，与各项得分之和{expected}不一致（不含{computed}）", "程序按各项得分重新计算，不受影响；请检查表中的合计公式是否被改动")
    CELL_NOT_CALCULATED = (E, "“{label}”单元格是公式“{formula}”，但文件中没有计算结果（程序不计算公式）", "请在Excel或WPS中打开该文件并保存一次，或直接填写{label}")
    TEXT_TOO_LONG = (W, "单元格中的文字有{length}个字符，超过Excel一个单元格能容纳的32767个字符，汇总表中只保留前32767个字符", "请精简这段文字；通报和反馈页中保留全文，原文件不受影响")
    # across files
    TOWNSHIP_DUPLICATE = (E, "乡镇“{value}”同时出现在多份评分表中（另见{other}）", "每个乡镇只能提交一份评分表；请删除重复的文件，或改正乡镇名称")
    NAME_MATCHED_LOOSELY = (W, "“{value}”与评分表中的乡镇“{matched}”名称不完全一致，已按同一乡镇处理", "请把名称改为与评分表一致的“{matched}”")
    # companion tables
    TABLE_MISSING = (E, "输入文件夹中缺少{table}（{expected}）", "请把{table}放入输入文件夹，文件名为{expected}；没有内容也要放入只含表头的空表")
    TABLE_HEADER_MISSING = (E, "{table}中找不到表头“{columns}”", "请使用下发的{table}模板，表头保持不变")
    UNIT_BLANK = (E, "第{row}行有办件数量但没有单位名称", "请填写单位名称，或删除该行")
    UNIT_DUPLICATE = (E, "单位“{value}”在办件数量表中出现了不止一次（另见{other}）", "每个单位只能有一行，请合并或删除")
    CASE_COUNT_BLANK = (E, "单位“{unit}”没有填写办件数量", "请填写办件数量（整数）；没有办件填0")
    CASE_COUNT_INVALID = (E, "单位“{unit}”的办件数量“{value}”不是非负整数", "请填写0或正整数，不要带单位或文字")
    TOWNSHIP_NO_CASE_COUNT = (E, "乡镇“{value}”有评分表，但办件数量表中没有它的办件数量，无法计算项目3.1", "请在办件数量表中增加该乡镇一行，名称与评分表一致")
    CRITICISM_UNKNOWN_TOWNSHIP = (E, "通报批评记录中的乡镇“{value}”没有对应的评分表", "请改为与评分表一致的乡镇名称；如该乡镇未参评，请删除该行")
    CRITICISM_SOURCE_INVALID = (E, "来源“{value}”不是评定方案规定的来源（{allowed}）", "请从下拉列表中选择来源；其他来源的批评不作为降级依据，请删除该行")
    CRITICISM_DATE_INVALID = (E, "日期“{value}”无法识别", "请填写日期，如2022-06-30")
    CRITICISM_REASON_MISSING = (E, "没有填写事由", "请填写被通报批评或曝光的事由")
    CRITICISM_ACTION_INVALID = (E, "处理“{value}”无法识别", "请留空（按方案降低一个等级），或从下拉列表选择：{allowed}")
    CRITICISM_AFTER_PUBLICATION = (E, "通报批评的日期{value}晚于本轮结果的发布日期{published}，不能作为本轮降级的依据", "请核对日期；等级确定后的批评不改动已发布的结果：请记入等级调整记录表，由领导小组决定后用 processor adjust 登记并生成调整通报")
    CRITICISM_NOT_COUNTED = (W, "该记录日期{value}早于设置中的起算日期{since}，不作为降级依据", "如应计入，请修改输入文件夹中settings.toml的[criticisms] since")
    VETO_UNKNOWN_TOWNSHIP = (E, "一票否决记录中的乡镇“{value}”没有对应的评分表", "请改为与评分表一致的乡镇名称；如该乡镇未参评，请删除该行")
    VETO_DATE_INVALID = (E, "一票否决记录的日期“{value}”无法识别", "请填写日期，如2022-06-30")
    VETO_MATTER_INVALID = (E, "否决事项“{value}”不是评分标准中的一票否决事项（{allowed}）", "请从下拉列表中选择；其他事项不作为否决依据，请删除该行或在评分标准的“一票否决”工作表中列出")
    VETOES_WITHOUT_RULE = (E, "输入文件夹中有一票否决记录，但本轮评分标准没有一票否决事项，记录不会生效", "如方案规定了一票否决，请在评分标准的“一票否决”工作表中列出事项；否则请移出vetoes.xlsx")
    # the round's own rubric (rubric.xlsx)
    RUBRIC_INVALID = (E, "评分标准有误：{detail}", "请按评分标准工作簿的“填写说明”改正后重新运行；评分标准有误时不校验任何评分表")
    RUBRIC_UNCHECKED = (E, "评分标准中还有待核对的内容：{value}", "请核对该行（对照方案原文改正），然后清空“待核对”一栏")
    PREVIOUS_NOT_CONSOLIDATED = (E, "上轮汇总表不是本程序生成的汇总表（找不到“{expected}”）", "请放入上一轮由本程序生成的consolidated.xlsx（改名为previous.xlsx）；不需要比较时请移出该文件")
    # a panel of evaluators, a self-assessment
    SELF_DUPLICATE = (E, "乡镇“{value}”有不止一份自评表（另见{other}）", "每个乡镇只能交一份自评表；请删除多余的文件")
    SELF_WITHOUT_PANEL = (E, "乡镇“{value}”只有自评表，没有评定人员的评分表", "自评表只作对照，不能代替评定；请放入评定人员的评分表，或移出自评表")
    PANEL_EVALUATOR_MISSING = (E, "多人评定时每份评分表都要写明评定人员，乡镇“{value}”的这份评分表没有写", "请在“评定人员”右侧填写本表评定人员的姓名")
    PANEL_SAME_EVALUATOR = (E, "评定人员“{name}”为乡镇“{value}”交了不止一份评分表（另见{other}）", "每名评定人员对一个乡镇只能交一份评分表；请删除重复的一份，或改正评定人员姓名")
    PANEL_TOO_FEW = (E, "乡镇“{value}”只有{found}份评定人员的评分表（{files}），按“{rule}”至少需要{needs}份", "请补交其他评定人员的评分表")
    PANEL_CATEGORY_UNSCORED = (E, "按分类评定，乡镇“{value}”的“{category}”没有任何一份评分表打分（{files}）", "请由负责该类的评定人员在其评分表中填写该类各项得分")
    PANEL_CATEGORY_TWICE = (E, "按分类评定，乡镇“{value}”的“{category}”有不止一份评分表打分（{files}）", "每一类只能由一名（组）评定人员打分；请清空其他评分表中该类的得分")
    # the register
    REGISTER_ROUND_PUBLISHED = (E, "本轮（{value}）已于{day}发布并登记（第{version}版，文号{document}），这次输入文件夹中的文件与登记的不同（也包括没有读取的文件和文件夹）", "已发布的结果不能改写；如确需更正，请加 --correction \"更正理由\" 重新运行，登记簿会保留原来的版本；否则请核对输入文件")
    REGISTER_OUTPUTS_DIFFER = (E, "本轮（{value}）已于{day}发布并登记（第{version}版，文号{document}）；这次的输入文件与登记的相同，但生成的通报或汇总表与登记的不同（程序版本或评分标准不同）", "已发布的结果不能改写：要保留原结果，请用发布时的程序版本；确需按本版本重新发布，请加 --correction \"更正理由\" 重新运行")
    REGISTER_NOTHING_TO_CORRECT = (E, "给出了更正理由，但登记簿中没有本轮（{value}）的发布记录", "首次发布不需要 --correction；请去掉该选项后运行")
    REGISTER_CORRECTION_SAME = (E, "给出了更正理由，但输入文件与登记的第{version}版相同，没有可更正的内容", "请先改正输入文件再运行；不需要更正时请去掉 --correction")
    REGISTER_CORRECTION_DECIDED = (E, "本轮（{value}）发布后已有等级调整，这次更正会改变作过调整的乡镇的评定等级：{detail}", "等级调整是按原评定等级作出的，更正不能改变这些乡镇的评定等级；请核对更正的内容，确需改变的，请先报评定工作领导小组重新决定，并联系维护人员处理登记簿")
    # decisions after publication (processor adjust: 等级调整记录表, checked against the register)
    ADJUST_FIELD_MISSING = (E, "没有填写{label}", "请填写{label}；每一行是评定工作领导小组的一项决定")
    ADJUST_YEAR_INVALID = (E, "评定年度“{value}”不是年份", "请填写该等级评定的年度，如2022；留空表示该乡镇最近一轮的评定")
    ADJUST_DATE_INVALID = (E, "决定日期“{value}”无法识别", "请填写领导小组作出决定的日期，如2023-03-15")
    ADJUST_ACTION_INVALID = (E, "处理“{value}”无法识别", "请从下拉列表选择领导小组的决定：{allowed}")
    ADJUST_EMPTY = (E, "等级调整记录表中没有任何记录", "请在表头下逐行填写领导小组的决定")
    ADJUST_DUPLICATE = (E, "与第{other}行是同一乡镇、同一决定日期和文号的决定", "请删除重复的一行")
    ADJUST_NO_ROUND = (E, "登记簿中没有乡镇“{value}”{year}的评定结果", "请核对乡镇名称和评定年度；该轮结果须先用 processor run 发布并登记")
    ADJUST_BEFORE_PUBLICATION = (E, "决定日期{value}早于{round}评定结果的发布日期{published}", "等级确定前的批评请记入该轮的通报批评记录表，在评定时降级；如日期填错请改正")
    ADJUST_AFTER_EXPIRY = (E, "决定日期{value}时，{round}评定的等级已过有效期（至{expires}）", "有效期满的等级不再调整；请核对决定日期和评定年度")
    ADJUST_OUT_OF_ORDER = (E, "决定日期{value}早于该乡镇已登记的上一次等级调整（{last}）", "等级调整按决定的先后登记；请核对日期")
    ADJUST_IN_FUTURE = (E, "决定日期{value}晚于今天（{today}）", "请填写领导小组已经作出决定的日期；如日期填错请改正")
    ADJUST_NO_GRADE = (E, "乡镇“{value}”在{day}已无等级（{grade}），不能再{action}", "请核对乡镇和处理；已取消等级的无需再调整")
    ADJUST_SOURCE_NOT_LISTED = (W, "来源“{value}”不是评定方案规定的来源（{allowed}）", "请核对领导小组决定的依据；如无误可忽略本提示")
    ADJUST_RECORDED = (I, "乡镇“{value}”{day}的决定（{document}）已经登记，未重复登记", "无需处理；调整通报照常重新生成")
    # the stages before the final notice (processor run --stage)
    PUBLICITY_SETTING_MISSING = (E, "生成公示需要设置项{key}（{what}），现在没有填写", "请在输入文件夹的settings.toml的[publicity]中填写（写法见程序自带的settings.toml中的说明）")
    PUBLICITY_AFTER_NOTICE = (W, "公示期到{end}结束，不早于通报的发布日期{published}", "通报应在公示期满、无异议后印发；请核对settings.toml的[publicity] starts_on和[round] publication_date")
    # the roster
    ROSTER_NO_SHEET = (E, "名单中的乡镇“{value}”还没有交回评分表", "请催交该乡镇的评分表并放入输入文件夹；确实不参评的，请从名单中删除")
    SHEET_NOT_ON_ROSTER = (E, "评分表中的乡镇“{value}”不在乡镇名单中", "请核对“乡镇名称”是否写错；如名单漏列，请在名单中补上")
    ROSTER_DUPLICATE = (E, "乡镇“{value}”在名单中出现了不止一次（另见{other}）", "请删除重复的行")
    ROSTER_NAME_INVALID = (E, "名单中的乡镇名称“{value}”含有看不见的字符：{chars}", "请删除这些字符后重新运行（名称会填入评分表并用作文件名）")
    ROSTER_EMPTY = (E, "名单中没有任何乡镇", "请在“{column}”列下逐行填写乡镇名称")
    # the round
    SETTINGS_INVALID = (E, "设置项{key}应为{allowed}，现为{found}", "请改正输入文件夹中settings.toml的这一项（写法见程序自带的settings.toml中的说明）")
    SETTINGS_UNKNOWN_KEY = (E, "{key}不是可用的设置项（拼写有误，或不在它应在的表中），未被采用", "是否应为{suggestion}？请改正后重新运行")
    SETTINGS_UNREADABLE = (E, "设置文件无法读取：{detail}", "请用记事本打开settings.toml，按程序自带settings.toml中的写法改正，保存为UTF-8编码")
    INTERNAL_ERROR = (E, "处理该文件时程序出错：{detail}", "请把输出文件夹中的error.log发给维护人员；其他文件的检查结果仍然有效")
    # notes of the run itself (Outcome.notes), not problems of the inputs
    TIE_AT_BOUNDARY = (W, "{value}总分相同（{total}分）并列第{rank}名，跨越“{upper}”与“{lower}”的名次界线，均按第{rank}名评为{upper}", "请领导小组研究确定")
    PDF_NOT_MADE = (W, "未生成{document}（{value}）；HTML文件已正常生成", "用浏览器打开同名的HTML文件打印或另存为PDF：Chrome、Edge不会在每页印上日期和网址，其他浏览器请在打印设置中取消勾选“页眉和页脚”；双面打印时总页数为奇数的，在版记页前加一张空白页。需要自动生成PDF时请安装Chromium（Debian/Ubuntu：apt install chromium fonts-noto-cjk）")
    PUBLICATION_RESTORED = (I, "{detail}", "无需处理；本次运行照常进行")
    PANEL_DISAGREEMENT = (W, "乡镇“{value}”的项目{item}，评定人员的评分相差{spread}分（{scores}）", "请领导小组研究评定人员的打分依据；程序按“{rule}”合并")
    PDF_MADE = (I, "PDF文件{document}由{browser}生成（{path}）", "如需重新生成，再次运行即可")
    ROUND_SPLIT = (I, "乡镇数超过{limit}个：逐项得分和扣分明细另存为{items}和{deductions}，不生成每个乡镇的反馈页，通报只列出获评等级和被降级的乡镇", "用Excel打开CSV文件查看明细")
    REGISTER_RECORDED = (I, "本轮结果已登记为{value}第{version}版（登记簿：{where}）", "用 processor register 查看各乡镇的等级和有效期")
    REGISTER_UNCHANGED = (I, "本轮结果与登记簿中{value}第{version}版的输入相同，未重复登记（登记簿：{where}）", "无需处理")
    PUBLICITY_RECORDED = (I, "{value}的公示已登记（登记簿：{where}）", "公示期满无异议后，用 processor run 生成并发布正式通报")
    REGISTER_NOT_RECORDED = (E, "{what}已发布，但未能记入登记簿（{detail}）", "已发布的文件不变；问题解决后请照原命令（包括原来的 --correction）再运行一次，即可登记，不会重复登记")
    REGISTER_BOOK_NOT_WRITTEN = (W, "供阅读的{where}未能重写（{detail}），其中的内容不是登记簿的最新内容", "请关闭在Excel或WPS中打开的登记簿工作簿，再运行 processor register 重新导出")
    # fmt: on


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
