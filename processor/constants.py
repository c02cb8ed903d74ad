"""Labels, sheet names and file names: the one home of every name the user sees in a file.

The batch finds things by these labels, never by fixed positions, so that a sheet whose rows
were moved is still read correctly.
"""

# The score sheet
SCORE_SHEET = "评分表"
META_SHEET = "_rubric"  # very hidden, locked: rubric version and fingerprint
META_VERSION_LABEL = "评分表版本"
META_FINGERPRINT_LABEL = "评分表指纹"

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
NOTICE_TEMPLATE = "report.html.j2"
FEEDBACK_TEMPLATE = "feedback.html.j2"

# Outputs
CONSOLIDATED_FILE = "consolidated.xlsx"
NOTICE_FILE = "notice.html"
NOTICE_PDF_FILE = "notice.pdf"
FEEDBACK_DIR = "feedback"  # one feedback.html per township: feedback/<乡镇>.html
VALIDATION_REPORT_FILE = "validation_report.xlsx"
ERROR_LOG_FILE = "error.log"

# A round with more townships than this is split (see README): per-item scores and deductions
# go to CSV beside the workbook, no feedback page per township, the notice lists names up to
# the graded ones and counts the rest.
LARGE_ROUND = 2000
CHART_TOWNSHIPS = 100  # bars in the workbook's chart of totals; more are unreadable
ITEM_SCORES_CSV = "item_scores.csv"
DEDUCTIONS_CSV = "deductions.csv"

# Sheets of the consolidated workbook
OUT_SUMMARY = "汇总"
OUT_ITEMS = "逐项得分"
OUT_DEDUCTIONS = "扣分明细"
OUT_CASES = "办件量排名"
OUT_CRITICISMS = "通报批评"
OUT_PROBLEMS = "问题清单"
OUT_MANIFEST = "文件清单"
OUT_CHARTS = "图表"

NO_GRADE = "无等级"

# What a criticism's 处理 may be chosen from (the template's list, and the message naming what
# the reader understands; blank means the seed's one grade).
CRITICISM_ACTIONS = ("降低一个等级", "降低两个等级", "取消等级")
