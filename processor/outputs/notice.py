"""Results -> the notice (通报) as self-contained HTML, from templates/report.html.j2 (jinja2,
autoescaped: no text from an input file can become markup)."""

from __future__ import annotations

from .. import constants as C
from ..inputs.round import Round
from ..results.records import Results
from .html import environment
from .wording import basis_text, panel_rule_text, ties_text


def render_notice(round_: Round, results: Results, large: bool = False) -> str:
    env = environment()
    return env.get_template(C.NOTICE_TEMPLATE).render(**notice_context(round_, results, large))


def notice_context(round_: Round, results: Results, large: bool = False) -> dict:
    """``large``: a round too large to list every name on paper (a province, the country): the
    notice names the graded and the downgraded, counts the rest, and points to the workbook."""
    settings, rubric = round_.settings, round_.rubric
    grading = rubric.grading
    rows = results.townships
    groups = [{"grade": g.name, "centers": [r for r in rows if r.final == g.name]} for g in grading.grades]
    computed = rubric.computed_items[0] if rubric.computed_items else None
    first, last = settings.validity
    no_grade = C.NO_GRADE
    ungraded = [r for r in rows if r.final == no_grade]
    listed = [r for r in rows if r.initial != no_grade or r.downgrade] if large else rows
    return {
        "settings": settings,
        "rubric": rubric,
        "title": "".join(title_lines(settings.year)),
        "title_lines": title_lines(settings.year),
        "attachment_lines": attachment_lines(settings.year),
        "center_count": len(rows),
        "unit_count": len(results.cases),
        "computed": computed,
        "groups": groups,
        "ungraded": [] if large else ungraded,
        "ungraded_count": len(ungraded),
        "downgraded": [r for r in rows if r.downgrade],
        "limited": [r for r in rows if r.caps or r.vetoes],
        "ties": results.ties,
        "grades": grading.grades,
        "basis": basis_text(grading),
        "ties_rule": ties_text(grading),
        "by_rank": "ranks" in grading.uses,
        "panel_rule": panel_rule_text(rubric),
        # the sources from the settings, worded as the seed does: 被…通报批评或被媒体曝光
        "critics": [source for source in settings.sources if not settings.is_exposure(source)],
        "exposures": [source for source in settings.sources if settings.is_exposure(source)],
        "validity_from": first,
        "validity_to": last,
        "rows": listed,
        "omitted": len(rows) - len(listed),
        "workbook": C.CONSOLIDATED_FILE,
        "issued": settings.publication_date,
        "issuer_size": issuer_size(settings.issuer_header),
        "document_number": settings.document_number,
        "signed_by": settings.issuer,
    }


def title_lines(year: int) -> list[str]:
    """The 2号 title in two lines broken between words, the longer above (an inverted trapezoid,
    GB/T 9704-2012 梯形); each line fits the 156 mm text area (at most 20 characters of 22 pt)."""
    return [f"关于{year}年乡镇便民服务中心标准化", "等级评定结果的通报"]


def attachment_lines(year: int) -> list[str]:
    """The attachment's name after "附件：", in lines broken between words: the first holds the
    23 characters the line has left (28 less 左空二字 and 附件：), the next starts under the name's
    first character, and no line is one character alone (the year's digits count half)."""
    return [f"{year}年乡镇便民服务中心标准化等级评定", "结果汇总表"]


TEXT_WIDTH_PT = 440  # the 156 mm text area, in points


def issuer_size(header: str) -> int:
    """The red header on one line, never wider than the text area, at most 2号 x 1.6 (36 pt)."""
    return max(16, min(36, TEXT_WIDTH_PT // (len(header) + 1)))
