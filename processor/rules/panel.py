"""How a round combines the sheets of a panel of evaluators into one score per item: part of the
round's rules (``[panel]`` in the rubric TOML, the 合议 sheet of the workbook).

    single      one evaluators' sheet per township (this county's plan; the default)
    mean        the mean of the evaluators' sheets
    trimmed     the mean after dropping the highest and the lowest score, when there are more
                than ``trim_above`` evaluators (去掉一个最高分和一个最低分); else the plain mean
    categories  each category scored by exactly one of the evaluators' sheets

A mean is rounded to the table's resolution (round half up by default) item by item, and the
total is the sum of the rounded items, so that a leader can add it up by hand. Evaluators who
differ on an item by more than ``margin`` points, or ``margin_share`` per cent of its maximum,
are listed for the leading group; a township's self-assessment (自评) is shown beside the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

RULES = {"single": "单人评定", "mean": "平均分", "trimmed": "去掉最高最低分后平均", "categories": "分类评定"}
ROUNDINGS = {
    "half_up": ("四舍五入", ROUND_HALF_UP),
    "half_even": ("四舍六入五成双", ROUND_HALF_EVEN),
    "down": ("直接舍去", ROUND_DOWN),
}


@dataclass(frozen=True)
class PanelRule:
    rule: str = "single"
    trim_above: int = 5  # trimmed: drop the highest and the lowest when there are more evaluators
    min_evaluators: int | None = None  # sheets a township needs (None: 1, or 2 for the means)
    rounding: str = "half_up"
    margin: Decimal | None = Decimal(1)  # points between the highest and lowest evaluator
    margin_share: Decimal | None = None  # per cent of the item's maximum

    @property
    def needs(self) -> int:
        if self.min_evaluators is not None:
            return self.min_evaluators
        return 2 if self.rule in ("mean", "trimmed") else 1

    @property
    def mode(self):
        return ROUNDINGS[self.rounding][1]

    @property
    def name(self) -> str:
        return RULES.get(self.rule, self.rule)

    def round(self, value: Decimal, resolution: Decimal) -> Decimal:
        return value.quantize(resolution, rounding=self.mode) if value.is_finite() else value

    def differs(self, low: Decimal, high: Decimal, maximum: Decimal) -> bool:
        spread = high - low
        if self.margin is not None and spread > self.margin:
            return True
        return self.margin_share is not None and spread * 100 > self.margin_share * maximum


def check_panel(panel: PanelRule) -> list[tuple[str, str]]:
    faults = []
    if panel.rule not in RULES:
        faults.append(("panel:rule", f"合并方式“{panel.rule}”应为{'、'.join(RULES.values())}之一"))
    if panel.rounding not in ROUNDINGS:
        names = "、".join(name for name, _ in ROUNDINGS.values())
        faults.append(("panel:rounding", f"舍入方式“{panel.rounding}”应为{names}之一"))
    if panel.trim_above < 2:
        faults.append(("panel:trim_above", "去掉最高最低分的人数界限应不少于2"))
    if panel.min_evaluators is not None and panel.min_evaluators < 1:
        faults.append(("panel:min_evaluators", "每个乡镇的评定表份数应不少于1"))
    if panel.rule == "single" and panel.min_evaluators not in (None, 1):
        faults.append(("panel:min_evaluators", "单人评定时每个乡镇只能有一份评定表"))
    for key, value in (("margin", panel.margin), ("margin_share", panel.margin_share)):
        if value is not None and value < 0:
            faults.append((f"panel:{key}", "差异提示界限不能为负"))
    return faults
