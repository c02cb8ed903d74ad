"""Labels, sheet names and file names: the one home of every name the user sees in a file.

The batch finds things by these labels, never by fixed positions, so that a sheet whose rows
were moved is still read correctly.
"""

# The score sheet
SCORE_SHEET = "评分表"
META_SHEET = "_rubric"  # very hidden, locked: rubric version and fingerprint
META_VERSION_LABEL = "评分表版本"
META_FINGERPRINT_LABEL = "评分表指纹"
META_KIND_LABEL = "评分表类型"  # 评定 (an evaluator's) or 自评 (the township's self-assessment)
KIND_PANEL, KIND_SELF = "评定", "自评"
LABEL_SELF = "自评人员"  # the self-assessment sheet's label where the evaluators' sheet has 评定人员

LABEL_TOWNSHIP = "乡镇名称"
LABEL_INSPECTORS = "评定人员"
LABEL_DATE = "评定日期"
HEADER_LABELS = (LABEL_TOWNSHIP, LABEL_INSPECTORS, LABEL_DATE)

COL_NUMBER = "序号"
COL_CATEGORY = "项目"
COL_CODE = "编号"
COL_NAME = "评选项目"
COL_CRITERIA = "评选内容"
COL_MAXIMUM = "分值"
COL_SCORE = "得分"
COL_REMARK = "扣分说明"
SHEET_COLUMNS = (
    COL_NUMBER,
    COL_CATEGORY,
    COL_CODE,
    COL_NAME,
    COL_CRITERIA,
    COL_MAXIMUM,
    COL_SCORE,
    COL_REMARK,
)
LABEL_STATUS = "填写状态"
LABEL_OPINION = "评定意见"
LABEL_SIGN_INSPECTORS = "评定人员（签字）"
LABEL_SIGN_HEAD = "乡镇负责人（签字）"
LABEL_SIGN_DATE = "签字日期"
CHECK_COLUMN = "校验"  # hidden helper column of the template: 0 ok, 1 blank, 2 invalid, 3 no reason
# A score or remark cell holding nothing but these is blank, for the sheet's own formulas and for
# the batch alike: spaces (half and full width, no-break), tabs and line breaks.
BLANK_CHARACTERS = " \u3000\u00a0\t\r\n"
SUBTOTAL_LABEL = "小计"
TOTAL_LABEL = "总分"
COMPUTED_SCORE_TEXT = "程序计算"

# Companion tables, read by their header names
CASE_COUNTS_FILE = "case_counts.xlsx"
CASE_COUNTS_SHEET = "办件数量"
COL_UNIT = "单位"
COL_CASES = "办件数量"

CRITICISMS_FILE = "criticisms.xlsx"
CRITICISMS_SHEET = "通报批评记录"
COL_C_TOWNSHIP = "乡镇"
COL_C_DATE = "日期"
COL_C_SOURCE = "来源"
COL_C_REASON = "事由"
COL_C_ACTION = "处理"

# The record of 一票否决 events, for a rubric whose grading lists veto matters
VETOES_FILE = "vetoes.xlsx"
VETOES_SHEET = "一票否决记录"
COL_V_TOWNSHIP = "乡镇"
COL_V_DATE = "日期"
COL_V_MATTER = "否决事项"
COL_V_REASON = "事由"
VETOES_TEMPLATE = "vetoes_template.xlsx"

# The round's own rubric (the table and its grading), as a workbook the clerk edits; without it
# the packaged 2022 table is used
RUBRIC_FILE = "rubric.xlsx"
# The rubric workbook (``processor rubric``): one sheet per part of the plan's table and rules,
# read by these titles
RUBRIC_SHEET = "评分标准"
RUBRIC_CATEGORIES_SHEET = "类别"
RUBRIC_GRADES_SHEET = "等级"
RUBRIC_VETOES_SHEET = "一票否决"
RUBRIC_NOTES_SHEET = "填写说明"
R_TITLE, R_YEAR, R_VERSION, R_RESOLUTION, R_TOTAL = "标题", "年度", "版本", "最小单位", "总分"
R_CATEGORY, R_CODE, R_NAME, R_GROUP = "类别", "编号", "项目", "分组"
R_CRITERIA, R_MAXIMUM, R_KIND = "评选内容/评分标准", "分值", "计分方式"
R_FIRST, R_STEP, R_FLOOR = "排名第一得分", "每名递减", "保底得分"
R_REQUIRED, R_CAP, R_CHECK = "必达分", "未达必达分时最高等级", "待核对"
R_NUMBER, R_NUMERAL = "序号", "中文序号"
G_NAME, G_FROM, G_TO, G_MIN_TOTAL = "等级", "名次起", "名次止", "最低总分"
G_MIN_SHARE, G_QUOTA, G_QUOTA_SHARE, G_BONUS = "各类最低得分率（%）", "名额", "名额比例（%）", "绩效加分"
V_MATTER = "否决事项"
RUBRIC_PANEL_SHEET = "合议"
P_RULE, P_TRIM, P_MIN = "合并方式", "评定人数多于此数时去掉最高最低分", "每个乡镇至少几份评定表"
P_ROUNDING, P_MARGIN, P_MARGIN_SHARE = "平均分的舍入方式", "评定差异提示（分）", "评定差异提示（占分值%）"
# How an item is scored, as the workbook writes it -> the rubric's kind
KIND_NAMES = {"评分": "judged", "加分": "award", "按排名计算": "computed"}

# Decisions after publication (processor adjust): the leading group's record of them
ADJUSTMENTS_SHEET = "等级调整记录"
ADJUSTMENTS_TEMPLATE = "adjustments_template.xlsx"
COL_A_TOWNSHIP, COL_A_YEAR, COL_A_DATE = "乡镇", "评定年度", "决定日期"
COL_A_SOURCE, COL_A_REASON, COL_A_ACTION, COL_A_NUMBER = "来源", "事由", "处理", "文号"

# Last round's consolidated workbook, for the year-over-year comparison (optional)
PREVIOUS_FILE = "previous.xlsx"

SETTINGS_FILE = "settings.toml"

# The roster of townships expected to return a sheet (optional, in the input folder)
ROSTER_FILE = "roster.xlsx"
ROSTER_SHEET = "乡镇名单"
COL_ROSTER = "乡镇"
NOT_GRADED_SUFFIXES = ("派出所",)  # units of the case-count table that are ranked for 3.1 only

# Committed templates (written by ``processor template``)
SCORE_SHEET_TEMPLATE = "score_sheet_template.xlsx"
CASE_COUNTS_TEMPLATE = "case_counts_template.xlsx"
CRITICISMS_TEMPLATE = "criticisms_template.xlsx"
SELF_TEMPLATE = "self_assessment_template.xlsx"
NOTICE_TEMPLATE = "report.html.j2"
FEEDBACK_TEMPLATE = "feedback.html.j2"

# Outputs. A published result is one folder, RESULTS_DIR, switched into the output folder as a
# whole; beside it the problem list and error log of the latest run (a run with errors writes
# only those, and the published result stays as it was).
RESULTS_DIR = "结果"
CONSOLIDATED_FILE = "consolidated.xlsx"
NOTICE_FILE = "notice.html"
NOTICE_PDF_FILE = "notice.pdf"
FEEDBACK_DIR = "feedback"  # one feedback.html per township: 结果/feedback/<乡镇>.html
VALIDATION_REPORT_FILE = "validation_report.xlsx"
ERROR_LOG_FILE = "error.log"

# The documents of the stages before the final notice (processor run --stage): beside the
# published result, never inside it; only the final notice publishes 结果/ and is registered.
STAGE_NOTICE, STAGE_APPROVAL, STAGE_PUBLICITY = "通报", "审批稿", "公示"
STAGES = (STAGE_NOTICE, STAGE_APPROVAL, STAGE_PUBLICITY)
STAGE_FILES = {STAGE_APPROVAL: "审批稿", STAGE_PUBLICITY: "公示"}  # .html and .pdf
APPROVAL_TEMPLATE = "approval.html.j2"
PUBLICITY_TEMPLATE = "publicity.html.j2"
ADJUSTMENT_TEMPLATE = "adjustment.html.j2"

# The register of published rounds (processor/register), by default beside the output folder;
# its workbook is rewritten after every change, for reading
REGISTER_DIR = "register"
REGISTER_BOOK = "登记簿.xlsx"
ADJUSTMENTS_DIR = "等级调整"  # the notices of decisions after publication, in the output folder
REG_CURRENT, REG_HISTORY, REG_DECISIONS = "当前等级", "等级历史", "等级调整"
REG_YEARS, REG_ROUNDS, REG_PUBLICITY = "逐轮比较", "发布记录", "公示记录"
EXPIRING_DAYS = 180  # the register lists grades that expire within this many days

# A round with more townships than this is split (see README): per-item scores and deductions
# go to CSV beside the workbook, no feedback page per township, the notice lists names up to
# the graded ones and counts the rest.
LARGE_ROUND = 2000
CHART_TOWNSHIPS = 100  # bars in the workbook's chart of totals; more are unreadable
ITEM_SCORES_CSV = "item_scores.csv"
DEDUCTIONS_CSV = "deductions.csv"
# Where versions before RESULTS_DIR published, straight into the output folder: a published
# result removes them, so that an old notice never stands beside the new results folder.
LEGACY_OUTPUTS = (
    CONSOLIDATED_FILE,
    NOTICE_FILE,
    NOTICE_PDF_FILE,
    FEEDBACK_DIR,
    ITEM_SCORES_CSV,
    DEDUCTIONS_CSV,
)

# Sheets of the consolidated workbook
OUT_SUMMARY = "汇总"
OUT_ITEMS = "逐项得分"
OUT_DEDUCTIONS = "扣分明细"
OUT_CASES = "办件量排名"
OUT_CRITICISMS = "通报批评"
OUT_PROBLEMS = "问题清单"
OUT_MANIFEST = "文件清单"
OUT_CHARTS = "图表"
OUT_RUBRIC_ITEMS = "评分项目"  # the table the round used (code, name, maximum): next round compares by it
OUT_COMPARISON = "与上轮比较"
OUT_PANEL = "评定人员打分"  # each evaluator's item scores beside the combined one
OUT_DISAGREEMENTS = "评定差异"
OUT_SELF = "自评对比"
FACT_YEAR = "评定年度"  # in the manifest: which round a consolidated workbook is

NO_GRADE = "无等级"

EXCEL_CELL_CHARS = 32_767  # the most characters one cell of a workbook holds

# What a criticism's 处理 may be chosen from (the template's list, and the message naming what
# the reader understands; blank means the seed's one grade).
CRITICISM_ACTIONS = ("降低一个等级", "降低两个等级", "取消等级")
