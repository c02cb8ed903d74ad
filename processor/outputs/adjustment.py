"""A decision after publication -> its own short notice (关于…等级调整的通报), in the layout of
the results' notice, from templates/adjustment.html.j2."""

from __future__ import annotations

from .. import constants as C
from ..register.decisions import Decision
from ..register.rounds import RoundRecord
from ..rules.settings import Settings
from .html import environment
from .notice import issuer_size


def adjustment_title(township: str) -> list[str]:
    """The title in two lines, the longer above (GB/T 9704-2012 梯形)."""
    return [f"关于{township}便民服务中心", "标准化等级调整的通报"]


def render_adjustment(settings: Settings, record: RoundRecord, decision: Decision, published: str) -> str:
    lines = adjustment_title(decision.township)
    source = decision.source
    event = f"被{source}" if settings.is_exposure(source) else f"被{source}通报批评"
    return (
        environment()
        .get_template(C.ADJUSTMENT_TEMPLATE)
        .render(
            settings=settings,
            round=record,
            decision=decision,
            published=published,
            event=event,
            title="".join(lines),
            title_lines=lines,
            document_number=decision.document_number,
            signed_by=settings.issuer,
            issued=decision.decided_on,
            issuer_size=issuer_size(settings.issuer_header),
            critics=[s for s in settings.sources if not settings.is_exposure(s)],
            exposures=[s for s in settings.sources if settings.is_exposure(s)],
            bonus_changes=decision.bonus_after != decision.bonus_before,
            no_grade=C.NO_GRADE,
        )
    )
