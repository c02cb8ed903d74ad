"""The worked example of a second county (``make examples``): examples/threshold-county/ holds the
rubric workbook of a county that grades by score thresholds with a minimum share per category,
a required subtotal and a veto list, and the settings of its round. Deterministic: a test
regenerates it and compares the bytes."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from processor import constants as C
from processor.forms.rubric_book import write_rubric_book
from processor.rules.draft import Draft

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "threshold-county"

CATEGORIES = [
    (1, "一", "场所设施", 20),
    (2, "二", "服务规范", 30),
    (3, "三", "日常管理", 40),
    (4, "四", "创新工作", 10),
]
ITEMS = [
    (
        "场所设施",
        "1.1",
        "功能分区",
        "合理划分办事、等候、自助服务区，未科学划分的每发现一处扣1分。",
        6,
        "评分",
    ),
    ("场所设施", "1.2", "标识标牌", "标识醒目规范，不醒目或不规范的发现一次扣1分。", 4, "评分"),
    ("场所设施", "1.3", "便民设施", "饮水、老花镜、雨具等便民设施每缺一项扣1分。", 5, "评分"),
    ("场所设施", "1.4", "无障碍设施", "无障碍通道、爱心座椅每缺一项扣2.5分。", 5, "评分"),
    ("服务规范", "2.1", "一次性告知", "系统查验每少登记一件扣0.5分。", 8, "评分"),
    ("服务规范", "2.2", "限时办结", "每超期一件扣1分。", 10, "评分"),
    ("服务规范", "2.3", "好差评", "差评未整改每件扣1分，默认好评每件扣0.2分。", 7, "评分"),
    ("服务规范", "2.4", "帮办代办", "未提供帮办代办服务的每发现一次扣1分。", 5, "评分"),
    ("日常管理", "3.1", "工作纪律", "迟到、早退、脱岗每人次扣0.5分。", 10, "评分"),
    ("日常管理", "3.2", "人员培训", "缺席培训每人次扣1分。", 8, "评分"),
    ("日常管理", "3.3", "台账资料", "台账每缺一项扣1分。", 12, "评分"),
    ("日常管理", "3.4", "群众满意度", "满意度调查低于95%的每低一个百分点扣1分。", 10, "评分"),
    ("创新工作", "4.1", "创新经验推广", "创新经验被县级以上推广的得10分。", 10, "加分"),
]


def draft() -> Draft:
    head = {
        C.R_TITLE: "YY县2025年为民服务中心星级评定评分表",
        C.R_YEAR: 2025,
        C.R_VERSION: "2025.1",
        C.R_RESOLUTION: Decimal("0.1"),
        C.R_TOTAL: 100,
    }
    categories = [
        {C.R_NUMBER: n, C.R_NUMERAL: numeral, C.R_CATEGORY: name, C.R_MAXIMUM: total}
        for n, numeral, name, total in CATEGORIES
    ]
    categories[1].update({C.R_REQUIRED: 24, C.R_CAP: "合格"})  # 服务规范 below 80%: at most 合格
    items = [
        {
            C.R_CATEGORY: cat,
            C.R_CODE: code,
            C.R_NAME: name,
            C.R_CRITERIA: criteria,
            C.R_MAXIMUM: top,
            C.R_KIND: kind,
        }
        for cat, code, name, criteria, top, kind in ITEMS
    ]
    grades = [
        {C.G_NAME: "优秀", C.G_MIN_TOTAL: 90, C.G_MIN_SHARE: 80, C.G_BONUS: 3},
        {C.G_NAME: "良好", C.G_MIN_TOTAL: 80, C.G_BONUS: 2},
        {C.G_NAME: "合格", C.G_MIN_TOTAL: 60, C.G_BONUS: 1},
    ]
    return Draft(head, items, categories, grades, ["发生重大服务事故", "弄虚作假"])


SETTINGS = """\
# YY县的本轮设置（只写与程序默认值不同的项）。等级规则在 rubric.xlsx 中。
[county]
name = "YY县"
issuer = "YY县政务服务中心"
issuer_header = "YY县政务服务中心文件"
document_number = "Y政服〔2025〕5号"
addressees = "各乡镇人民政府"
copy_to = ""
printed_by = "YY县政务服务中心办公室"
work_plan = "YY县为民服务中心星级评定办法"

[round]
year = 2025
evaluation_month = "2025年10月"
publication_date = 2025-11-20
"""


def main(folder: Path = FOLDER) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    write_rubric_book(draft(), folder / C.RUBRIC_FILE, 2025)
    (folder / C.SETTINGS_FILE).write_text(SETTINGS, encoding="utf-8")
    print(f"已生成 {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER))
