"""Results -> the notice (通报) as self-contained HTML, from templates/report.html.j2 (jinja2,
autoescaped: no text from an input file can become markup)."""

from __future__ import annotations

import contextlib
import hashlib
from decimal import Decimal
from pathlib import Path

import jinja2

from . import constants as C
from .collect import Round
from .grading import Results, cn_date

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CN_DIGITS = "零一二三四五六七八九十"


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
    return format(value, ".1f")


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier run, kept in jinja2's per-user cache folder and used
    only while the template's text is unchanged: compiling both templates is a tenth of a
    county's run. A cache that cannot be read or written is no cache, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(Exception):
            super().dump_bytecode(bucket)


SETTINGS = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


def _compiled_templates() -> jinja2.BytecodeCache | None:
    # jinja2 checks a template's text, not the settings it was compiled with: they name the files
    made_by = hashlib.sha256(repr((jinja2.__version__, sorted(SETTINGS.items(), key=str))).encode())
    try:
        return _CompiledTemplates(pattern=f"__processor_{made_by.hexdigest()[:12]}_%s.cache")
    except Exception:  # no usable temporary folder
        return None


def environment(templates: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The jinja2 set-up every HTML output shares: autoescaped, strict, with the number filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=_compiled_templates(), **SETTINGS
    )
    env.filters["score"] = score_text
    env.filters["cn"] = cn_number
    env.filters["date"] = cn_date
    env.filters["percent"] = lambda value: format(value, ".1f")
    return env


def render_notice(round_: Round, results: Results, templates: Path = TEMPLATES_DIR) -> str:
    env = environment(templates)
    return env.get_template(C.NOTICE_TEMPLATE).render(**notice_context(round_, results))


def notice_context(round_: Round, results: Results) -> dict:
    settings, rubric = round_.settings, round_.rubric
    rows = results.table.to_dict("records")
    groups = [
        {"grade": grade, "centers": [r for r in rows if r["final"] == grade]}
        for grade in settings.grades[:-1]
    ]
    (computed,) = rubric.computed_items
    first, last = settings.validity
    no_grade = settings.grades[-1]
    ungraded = [r for r in rows if r["final"] == no_grade]
    # A large round (a province, the country) cannot list every name on paper: the notice names
    # the graded and the downgraded, counts the rest, and points to the consolidated workbook.
    large = len(rows) > C.LARGE_ROUND
    listed = [r for r in rows if r["initial"] != no_grade or r["downgrade"]] if large else rows
    return {
        "settings": settings,
        "rubric": rubric,
        "title": "".join(title_lines(settings.year)),
        "title_lines": title_lines(settings.year),
        "attachment": "".join(attachment_lines(settings.year)),
        "attachment_lines": attachment_lines(settings.year),
        "center_count": len(rows),
        "unit_count": len(results.scores.cases),
        "computed": computed,
        "groups": groups,
        "ungraded": [] if large else ungraded,
        "ungraded_count": len(ungraded),
        "downgraded": [r for r in rows if r["downgrade"]],
        "ties": results.ties,
        "bands": settings.bands,
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
    }


def title_lines(year: int) -> list[str]:
    """The 2号 title in two lines broken between words, the longer above (an inverted trapezoid,
    GB/T 9704-2012 梯形); each line fits the 156 mm text area (at most 20 characters of 22 pt)."""
    return [f"关于{year}年乡镇便民服务中心标准化", "等级评定结果的通报"]


def attachment_lines(year: int) -> list[str]:
    return [f"{year}年乡镇便民服务中心标准化等级评定", "结果汇总表"]


TEXT_WIDTH_PT = 440  # the 156 mm text area, in points


def issuer_size(header: str) -> int:
    """The red header on one line, never wider than the text area, at most 2号 x 1.6 (36 pt)."""
    return max(16, min(36, TEXT_WIDTH_PT // (len(header) + 1)))
