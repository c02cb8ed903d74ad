"""Regenerate the example round in input/ from the committed template (``make example``).

Twelve fictional townships scored by inspectors, with deductions and their reasons; case counts
for 21 units (the townships and nine police stations, as the seed ranks them); one criticism
that lowers a first-grade center to the second grade; and the round's settings. Deterministic:
the same template gives the same files.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

from processor import constants as C
from processor.rules.rubric import load_rubric
from processor.testing import fill_sheet
from processor.xlsx.save import save_reproducibly

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

TOWNSHIPS = [
    "东山镇",
    "西河镇",
    "南岭乡",
    "北坪镇",
    "青石镇",
    "白沙乡",
    "红岩镇",
    "柳溪乡",
    "桃源镇",
    "梅岭乡",
    "松林镇",
    "金竹乡",
]
POLICE = [
    "城关派出所",
    "东山派出所",
    "西河派出所",
    "青石派出所",
    "红岩派出所",
    "桃源派出所",
    "松林派出所",
    "北坪派出所",
    "白沙派出所",
]
INSPECTORS = ["李明、王芳", "张伟、刘洋", "陈静、杨帆"]

# Typical findings: item -> (points per finding, how the inspector writes it down).
FINDINGS = {
    "1.2": ("0.5", "工作牌、办公时间牌与标准体系不一致{n}处"),
    "1.4": ("0.5", "少上墙制度{n}项（延时服务制、否定报备制）"),
    "2.1": ("0.5", "自助服务一体机、取号机等{n}台设备无法正常工作"),
    "2.2": ("1", "{n}台电脑无法正常登录协同审批系统"),
    "3.2": ("0.5", "系统查验少登记一次性告知{n}件"),
    "3.3": ("0.3", "抽查10个办件，{n}件未及时录入"),
    "3.4": ("0.2", "少打印受理通知书、挂起通知书{n}份"),
    "3.6": ("0.5", "{n}件办件未按要求调用电子证照，也未作错证缺证登记"),
    "3.8": ("0.2", "发现默认评价{n}个"),
    "3.9": ("0.2", "归档率低于100%，差{n}个百分点"),
    "3.11": ("0.5", "系统实操{n}项不符合规范"),
    "3.12": ("0.1", "抽查10个办件，{n}件移交相关部门时未登记"),
    "4.2": ("0.5", "线上办事指南要素错误{n}处"),
    "4.5": ("1", "抽查10个办件，超期办结{n}件"),
    "5.2": ("0.5", "发现违反工作纪律问题{n}个（中途离岗超过10分钟）"),
    "5.4": ("0.3", "主动评价率低于100%，差{n}个百分点"),
    "5.8": ("0.5", "培训考核未达优秀{n}人次"),
    "5.9": ("0.5", "导引标识不清晰、未设置绿色通道等{n}处"),
}
AWARD_MISSED = {
    "5.7": "本年度工作人员考核无优秀等次",
    "6.1": "本年度无创新工作得到市县中心认可推广",
}


def main(folder: Path) -> None:
    rubric = load_rubric()
    rng = random.Random(2022)
    folder.mkdir(parents=True, exist_ok=True)
    for n, township in enumerate(TOWNSHIPS):
        scores, remarks = {}, {}
        for code in sorted(rng.sample(sorted(FINDINGS), rng.randint(3, 8))):
            step, text = FINDINGS[code]
            item = rubric.item(code)
            count = rng.randint(1, 3)
            deducted = min(Decimal(step) * count, item.maximum)
            scores[code] = float(item.maximum - deducted)
            remarks[code] = text.format(n=count)
        for code, text in AWARD_MISSED.items():
            if rng.random() < 0.4:
                scores[code], remarks[code] = 0, text
        fill_sheet(
            folder / f"{township}评分表.xlsx",
            rubric,
            township=township,
            scores=scores,
            remarks=remarks,
            inspectors=INSPECTORS[n % len(INSPECTORS)],
            date=dt.date(2022, 8, 8 + n),
            opinion=_opinion(township, scores),
        )
    _case_counts(folder, rng)
    _criticisms(folder)
    _settings(folder)


def _opinion(township: str, scores: dict) -> str:
    lost = len(scores)
    if lost <= 4:
        return f"{township}便民服务中心场所规范、制度健全，窗口服务规范，建议继续保持。"
    return (
        f"{township}便民服务中心共{lost}项存在扣分，主要在办件规范和日常管理方面，建议对照扣分说明限期整改。"
    )


def _case_counts(folder: Path, rng: random.Random) -> None:
    wb = openpyxl.load_workbook(TEMPLATES_DIR / C.CASE_COUNTS_TEMPLATE)
    ws = wb[C.CASE_COUNTS_SHEET]
    units = TOWNSHIPS + POLICE
    counts = rng.sample(range(120, 2400), len(units))
    counts[3] = counts[7]  # two units with the same count share a rank and its points
    for row, (unit, count) in enumerate(zip(units, counts, strict=True), start=2):
        ws.cell(row, 1, unit)
        ws.cell(row, 2, count)
    save_reproducibly(wb, folder / C.CASE_COUNTS_FILE, dt.datetime(2022, 8, 20))


def _criticisms(folder: Path) -> None:
    wb = openpyxl.load_workbook(TEMPLATES_DIR / C.CRITICISMS_TEMPLATE)
    ws = wb[C.CRITICISMS_SHEET]
    ws.append(
        ["白沙乡", dt.date(2022, 5, 16), "市效能办", "窗口工作人员上班时间离岗，群众等候超过30分钟", None]
    )
    ws["B2"].number_format = "yyyy-mm-dd"
    save_reproducibly(wb, folder / C.CRITICISMS_FILE, dt.datetime(2022, 8, 20))


def _settings(folder: Path) -> None:
    (folder / C.SETTINGS_FILE).write_text(
        "# 本轮评定的设置：只写与默认值（processor/data/settings.toml）不同的项。\n"
        "[county]\n"
        'document_number = "X行服〔2022〕18号"\n'
        "\n[round]\n"
        "publication_date = 2022-08-31\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "input"))
