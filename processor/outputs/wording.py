"""How results are worded for people: dates and small numbers in Chinese, a score as printed,
a criticism and a downgrade as sentences. Used by every output that people read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import constants as C
from ..inputs.tables import Criticism
from ..results.records import TownshipResult
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


def score_text(value: Decimal) -> str:
    """A score or percentage with one decimal; never "-0.0" (a rounded small negative or a
    signed zero is 0.0)."""
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
