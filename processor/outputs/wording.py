"""How results are worded for people: dates and small numbers in Chinese, a score as printed,
a criticism and a downgrade as sentences. Used by every output that people read."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from .. import constants as C
from ..inputs.tables import Criticism
from ..results.records import TownshipResult
from ..rules.grading import Grade, Grading
from ..rules.settings import Settings

CN_DIGITS = "零一二三四五六七八九十"


def cn_date(day: dt.date) -> str:
    """GB/T 9704-2012: Arabic numerals, no leading zeros: 2022年8月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """3 -> 三, 12 -> 十二 (for the small counts official prose spells out)."""
    if 0 <= n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


@functools.lru_cache(maxsize=1 << 12)  # a round's pages word the same few scores again and again
def score_text(value: Decimal) -> str:
    """A score or percentage with one decimal; never "-0.0" (a rounded small negative or a
    signed zero is 0.0). Equal values word alike (2.5 and 2.50), so they may share a cache entry."""
    text = format(value, ".1f")
    return "0.0" if text == "-0.0" else text


def describe(record: Criticism) -> str:
    """2022年5月3日被市效能办通报批评（事由）, or 被媒体曝光（事由）."""
    day = cn_date(record.date)
    what = f"被{record.source}" if Settings.is_exposure(record.source) else f"被{record.source}通报批评"
    return f"{day}{what}（{record.reason}）"


def downgrade_text(result: TownshipResult) -> str:
    """What the criticisms did to the township's grade, in one sentence ("" when none counts)."""
    downgrade = result.downgrade
    if downgrade is None:
        return ""
    initial, final = result.initial, result.final
    causes = "；".join(describe(r) for r in downgrade.records)
    if final == initial:
        effect = "未获等级，不再降级" if initial == C.NO_GRADE else "等级不变"
    elif downgrade.cancel:
        effect = f"取消{initial}等级"
    else:
        effect = f"由{initial}降为{final}"
    return f"{causes}，{effect}"


def action_text(record: Criticism) -> str:
    """The criticism's 处理 as the workbook lists it: blank is the seed's one grade."""
    return record.action or "按方案降低一个等级"


def limits_text(result: TownshipResult) -> str:
    """Why the rules gave a township no more than its grade: required scores missed, vetoes."""
    parts = [
        f"{cap.what}得分{score_text(cap.score)}分，未达必达分{score_text(cap.minimum)}分，"
        + ("不予评定等级" if cap.cap == C.NO_GRADE else f"最高评为{cap.cap}")
        for cap in result.caps
    ]
    parts += [f"{cn_date(v.date)}被一票否决（{v.matter}：{v.reason}），不予评定等级" for v in result.vetoes]
    return "；".join(parts)


def _plain(value: Decimal) -> str:
    return "0" if value.is_zero() else format(value.normalize(), "f")


def _conditions(grade: Grade) -> str:
    conditions = []
    if grade.ranks is not None:
        first, last = grade.ranks
        conditions.append(f"第{first}名" if first == last else f"第{first}至{last}名")
    if grade.min_total is not None:
        conditions.append(f"总分{_plain(grade.min_total)}分及以上")
    if grade.min_share is not None:
        conditions.append(f"各类得分率均不低于{_plain(grade.min_share)}%")
    text = "且".join(conditions)
    limits = []
    if grade.quota is not None:
        limits.append(f"不超过{grade.quota}个")
    if grade.quota_share is not None:
        limits.append(f"不超过参评乡镇的{_plain(grade.quota_share)}%")
    if limits:
        quota = "、".join(limits) + "，按总分排名依次确定"
        text = f"{text}的评为{grade.name}（{quota}）" if text else f"{grade.name}{quota}"
    else:
        text = f"{text}的评为{grade.name}"
    return text


def basis_text(grading: Grading) -> str:
    """How the grades were given, in one clause of the notice: this county's rank bands say
    按总分排名确定等级; thresholds, category minimums and quotas are spelled out."""
    if grading.uses == {"ranks"}:
        return "按总分排名确定等级"
    return "按评分结果确定等级（" + "；".join(_conditions(g) for g in grading.grades) + "）"


def ties_text(grading: Grading) -> str:
    """What the notice says of equal totals under these rules."""
    if "ranks" in grading.uses:
        return "总分相同的乡镇便民服务中心并列同一名次，按该名次确定等级。"
    if grading.uses & {"quota", "quota_share"}:
        return "总分相同的乡镇便民服务中心并列同一名次，名额按名次依次确定。"
    return ""


def panel_scores_text(result: TownshipResult, item) -> str:
    """Each evaluator's score of an item, with the remark: 李明、王芳 2.5（少一处）；张伟 1.0."""
    parts = []
    for n, (sheet, score) in enumerate(zip(result.panel.sheets, item.scores, strict=True)):
        if score is None:
            continue
        remark = sheet.remarks.get(item.code, "")
        dropped = "，去掉" if n in item.dropped else ""
        parts.append(
            f"{sheet.inspectors or sheet.file} {score_text(score)}"
            + (f"（{remark}{dropped}）" if remark or dropped else "")
        )
    return "；".join(parts)


def panel_rule_text(rubric) -> str:
    """The one sentence of the notice on how the evaluators' scores were combined."""
    rule = rubric.panel
    rounding = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "直接舍去"}[rule.rounding]
    unit = _plain(rubric.resolution)
    if rule.rule == "mean":
        how = "各项得分取评定人员评分的平均值"
    elif rule.rule == "trimmed":
        how = f"各项得分取评定人员评分的平均值，评定人员多于{rule.trim_above}人时去掉一个最高分和一个最低分"
    elif rule.rule == "categories":
        return "各类项目分别由负责该类的评定人员打分，总分为各项得分之和。"
    else:
        return ""
    return (
        f"每个乡镇由{rule.needs}名以上评定人员分别打分，{how}（{rounding}到{unit}分），总分为各项得分之和。"
    )
