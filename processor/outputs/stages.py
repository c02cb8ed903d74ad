"""Results -> the documents of the stages before the final notice, in the notice's layout
(templates/document.html.j2, GB/T 9704-2012): the draft for the leading group's approval
(审批稿: the results with every point it has to decide) and the 公示 (the results grouped by
grade, the period, where objections go and the rules for them)."""

from __future__ import annotations

from .. import constants as C
from ..inputs.round import Round
from ..inputs.stages import publicity_period
from ..problems import Code, Problem, Severity
from ..results.records import Results
from .html import environment
from .notice import notice_context


def render_stage(stage: str, round_: Round, results: Results, notes: list[Problem]) -> str:
    template = {C.STAGE_APPROVAL: C.APPROVAL_TEMPLATE, C.STAGE_PUBLICITY: C.PUBLICITY_TEMPLATE}[stage]
    context = (
        approval_context(round_, results, notes)
        if stage == C.STAGE_APPROVAL
        else publicity_context(round_, results)
    )
    return environment().get_template(template).render(**context)


def approval_context(round_: Round, results: Results, notes: list[Problem]) -> dict:
    """The notice's facts, and what the leading group decides: ties across a grade's boundary,
    evaluators who disagree, downgrades, grades held back by required scores or vetoes."""
    context = notice_context(round_, results)
    year = round_.settings.year
    warnings = [p for p in round_.problems if p.severity is Severity.WARNING]
    rows = results.townships
    context.update(
        title=f"{year}年乡镇便民服务中心标准化等级评定结果（审批稿）",
        title_lines=[f"{year}年乡镇便民服务中心标准化", "等级评定结果（审批稿）"],
        disagreements=[n.message for n in notes if n.code is Code.PANEL_DISAGREEMENT],
        warnings=len(warnings),
        report=C.VALIDATION_REPORT_FILE,
        period=publicity_period(round_.settings),
        marks={r.township: _marks(r, context) for r in rows},
        # nobody signs a draft: the leading group's opinion goes in the box below it
        signed_by="评定工作领导小组办公室",
    )
    context["decide"] = bool(
        context["ties"] or context["disagreements"] or context["downgraded"] or context["limited"]
    )
    return context


def _marks(result, context) -> str:
    marks = []
    if result.boundary_tie:
        marks.append("并列")
    if result.panel and any(item.differs for item in result.panel.items):
        marks.append("评分差异")
    if result.downgrade:
        marks.append("降级")
    if result.caps or result.vetoes:
        marks.append("等级限制")
    return "、".join(marks)


def publicity_context(round_: Round, results: Results) -> dict:
    context = notice_context(round_, results)
    settings = round_.settings
    start, end = publicity_period(settings)
    context.update(
        title=f"关于{settings.year}年乡镇便民服务中心标准化等级评定结果的公示",
        title_lines=[f"关于{settings.year}年乡镇便民服务中心标准化", "等级评定结果的公示"],
        starts=start,
        ends=end,
        days=settings.publicity_days,
        contact=settings.publicity_contact,
        issued=start,
    )
    return context
