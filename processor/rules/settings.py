"""The county's settings for a round: packaged defaults (the seed's values) plus an optional
``settings.toml`` in the input folder that overrides the keys it names.

Every key is declared once, on the field it fills (``schema.setting``): its kind says its type
and range. The round's file is validated like a score sheet: every violation is a problem
with the key's path, what was found and what is allowed; a key that is not declared is an
error with the nearest valid key; a UTF-8 BOM (what older Notepad writes) and UTF-16 with its
BOM are read; NaN, infinity and numbers beyond range are refused. Adding a setting is one field
here (and its default, with its explanation, in ``data/settings.toml``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..problems import Code, Problem, problem
from ..resources import rules_file
from .schema import Day, Days, Flag, Text, Texts, Violation, Whole, build, setting

DEFAULT_SETTINGS = "settings.toml"  # packaged, in processor/rules/data
MAX_SETTINGS_BYTES = 64 * 1024  # a settings file is a page of text; a FIFO or a huge file is refused


@dataclass(frozen=True)
class Settings:
    county: str = setting("county.name", Text(longest=40))
    issuer: str = setting("county.issuer", Text(longest=60))
    issuer_header: str = setting("county.issuer_header", Text(longest=60))
    document_number: str = setting("county.document_number", Text(longest=40))
    addressees: str = setting("county.addressees", Text())
    copy_to: str = setting("county.copy_to", Text(blank=True))
    printed_by: str = setting("county.printed_by", Text(longest=60))
    work_plan: str = setting("county.work_plan", Text(longest=100))
    year: int = setting("round.year", Whole(2000, 2100))
    evaluation_month: str = setting("round.evaluation_month", Text(longest=40))
    publication_date: dt.date = setting("round.publication_date", Day())
    validity_years: int = setting("round.validity_years", Whole(1, 10))
    sources: tuple[str, ...] = setting("criticisms.sources", Texts(1, 20))
    criticisms_since: dt.date | None = setting("criticisms.since", Day(blank=True))
    # 公示 before the final notice (processor run --stage 公示)
    publicity_starts: dt.date | None = setting("publicity.starts_on", Day(blank=True), default="")
    publicity_days: int = setting("publicity.working_days", Whole(1, 30), default=5)
    publicity_contact: str = setting("publicity.contact", Text(blank=True, longest=200), default="")
    holidays: tuple[dt.date, ...] = setting("publicity.holidays", Days(), default=[])
    workdays: tuple[dt.date, ...] = setting("publicity.workdays", Days(), default=[])
    # a decision after publication (processor adjust): does that year's performance bonus follow?
    bonus_changes: bool = setting("decisions.bonus_changes", Flag(), default=False)

    @staticmethod
    def is_exposure(source: str) -> bool:
        """A source named as an exposure (媒体曝光) reads "被媒体曝光"; the others are bodies
        whose 通报批评 it is ("被市效能办通报批评")."""
        return source.endswith("曝光")

    @property
    def validity(self) -> tuple[int, int]:
        return self.year, self.year + self.validity_years


def load_settings(
    override: Path | None = None, name: str | None = None
) -> tuple[Settings | None, list[Problem]]:
    """Defaults, then the override file; problems name the override file (as ``name``)."""
    defaults = rules_file(DEFAULT_SETTINGS)
    data = tomllib.loads(defaults.read_text(encoding="utf-8"))
    source = defaults.name
    if override is not None:
        source = name or override.name
        extra, unreadable = _read(override)
        if unreadable:
            return None, [problem(Code.SETTINGS_UNREADABLE, file=source, detail=unreadable)]
        _merge(data, extra)
    violations: list[Violation] = []
    if "grading" in data:  # settings of versions before 0.2: the grades are the rubric's now
        violations.append(
            Violation(
                "[grading]",
                "等级规则",
                "不写在 settings.toml 中：等级规则在评分标准中（rubric.xlsx 的“等级”工作表）",
            )
        )
        del data["grading"]
    settings = build(Settings, data, violations)
    if settings is not None:
        violations += _across(settings)
    problems = [_problem(v, source) for v in violations]
    return (None if problems else settings), problems


def _problem(v: Violation, source: str) -> Problem:
    if v.unknown:
        return problem(Code.SETTINGS_UNKNOWN_KEY, file=source, cell=v.key, key=v.key, suggestion=v.suggestion)
    return problem(
        Code.SETTINGS_INVALID, file=source, cell=v.key, key=v.key, found=v.found, allowed=v.allowed
    )


def _read(path: Path) -> tuple[dict, str]:
    """(the file's tables, "") or ({}, why it cannot be read)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_SETTINGS_BYTES:
            return {}, f"不是普通文件或超过{MAX_SETTINGS_BYTES // 1024} KB，未读取"
        raw = path.read_bytes()
    except OSError:
        return {}, "文件无法打开"
    try:
        # Notepad's "Unicode" is UTF-16 with its BOM; a UTF-8 BOM (older Notepad) is no content
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, "不是UTF-8编码的文本（记事本“另存为”时请在“编码”中选择UTF-8）"
    try:
        return tomllib.loads(text), ""
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        if not where:
            return {}, "不符合TOML格式（文字要加引号，日期写成2022-08-31）"
        line, column = int(where.group(1)), int(where.group(2))
        lines = text.splitlines()
        shown = lines[line - 1].strip()[:60] if 0 < line <= len(lines) else ""
        return {}, f"第{line}行第{column}列不符合TOML格式（该行：{shown}；文字要加引号，日期写成2022-08-31）"
    except RecursionError:
        return {}, "列表或表嵌套过深，不是本程序的设置"


def _merge(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _across(settings: Settings) -> list[Violation]:
    """The rules between keys: the publication in or after the round's year, the criticisms'
    start before it."""
    found = []
    if settings.publication_date.year < settings.year:
        found.append(
            Violation(
                "[round] publication_date",
                f"日期 {settings.publication_date.isoformat()}",
                f"评定年度 {settings.year} 年或以后的日期",
            )
        )
    since = settings.criticisms_since
    if since is not None and since > settings.publication_date:
        found.append(
            Violation(
                "[criticisms] since",
                f"日期 {since.isoformat()}",
                f"不晚于发布日期 {settings.publication_date.isoformat()} 的日期，或空字符串",
            )
        )
    return found
