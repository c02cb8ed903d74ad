"""The county's settings for a round: packaged defaults (the seed's values) plus an optional
``settings.toml`` in the input folder that overrides the keys it names."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..problems import Code, Problem, problem
from ..resources import rules_file

DEFAULT_SETTINGS = "settings.toml"  # packaged, in processor/rules/data
MAX_SETTINGS_BYTES = 64 * 1024  # a settings file is a page of text; a FIFO or a huge file is refused


@dataclass(frozen=True)
class Settings:
    county: str
    issuer: str
    issuer_header: str
    document_number: str
    addressees: str
    copy_to: str
    printed_by: str
    work_plan: str
    year: int
    evaluation_month: str
    publication_date: dt.date
    validity_years: int
    sources: tuple[str, ...]
    criticisms_since: dt.date | None

    @staticmethod
    def is_exposure(source: str) -> bool:
        """A source named as an exposure (媒体曝光) reads "被媒体曝光"; the others are bodies
        whose 通报批评 it is ("被市效能办通报批评")."""
        return source.endswith("曝光")

    @property
    def validity(self) -> tuple[int, int]:
        return self.year, self.year + self.validity_years


def load_settings(override: Path | None = None) -> tuple[Settings | None, list[Problem]]:
    """Defaults, then the override file; problems name the override file."""
    defaults = rules_file(DEFAULT_SETTINGS)
    data = tomllib.loads(defaults.read_text(encoding="utf-8"))
    source = defaults.name
    if override is not None:
        source = override.name
        if not override.is_file() or override.stat().st_size > MAX_SETTINGS_BYTES:
            detail = f"不是普通文件或超过{MAX_SETTINGS_BYTES // 1024} KB，未读取"
            return None, [problem(Code.SETTINGS_INVALID, file=source, detail=detail)]
        try:
            _merge(data, tomllib.loads(override.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+), column (\d+)", str(exc))
            at = f"第{where.group(1)}行第{where.group(2)}列" if where else "某处"
            detail = f"{at}不符合TOML格式（文字要加引号，日期写成2022-08-31）"
            return None, [problem(Code.SETTINGS_INVALID, file=source, detail=detail)]
        except (OSError, UnicodeDecodeError):
            detail = "文件无法读取或不是UTF-8编码的文本"
            return None, [problem(Code.SETTINGS_INVALID, file=source, detail=detail)]
    faults: list[str] = []
    settings = _build(data, faults)
    problems = [problem(Code.SETTINGS_INVALID, file=source, detail=f) for f in faults]
    return (None if faults else settings), problems


def _merge(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _build(data: dict, faults: list[str]) -> Settings | None:
    def get(section: str, key: str, kind: type, default=None):
        value = data.get(section, {}).get(key, default)
        wrong_kind = isinstance(value, bool) and kind is not bool
        wrong_kind = wrong_kind or (kind is dt.date and isinstance(value, dt.datetime))  # a date, not a time
        if not isinstance(value, kind) or wrong_kind:
            faults.append(f"[{section}] {key} 应为{_KIND_NAMES.get(kind, kind.__name__)}，现为 {value!r}")
            return default
        return value

    county = {field: get("county", key, str, "") for field, key in _COUNTY_KEYS.items()}
    year = get("round", "year", int, 0)
    publication = get("round", "publication_date", dt.date, dt.date(1900, 1, 1))
    validity_years = get("round", "validity_years", int, 0)
    if validity_years < 1:
        faults.append("[round] validity_years 应为正整数")
    if "grading" in data:
        faults.append(
            "[grading] 等级规则已移到评分标准中（评分标准工作簿的“等级”工作表，或 rubric-*.toml 的 [grading]），请从 settings.toml 中删除"
        )
    sources = get("criticisms", "sources", list, [])
    if not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        faults.append("[criticisms] sources 应为来源名称的列表")
    since = data.get("criticisms", {}).get("since", "")
    if since == "":
        since = None
    elif not isinstance(since, dt.date) or isinstance(since, dt.datetime):
        faults.append(f"[criticisms] since 应为日期（如 2022-01-01）或空字符串，现为 {since!r}")
        since = None
    if faults:
        return None
    return Settings(
        **county,
        year=year,
        evaluation_month=get("round", "evaluation_month", str, ""),
        publication_date=publication,
        validity_years=validity_years,
        sources=tuple(s.strip() for s in sources),
        criticisms_since=since,
    )


_COUNTY_KEYS = {  # Settings field -> key under [county]
    "county": "name",
    "issuer": "issuer",
    "issuer_header": "issuer_header",
    "document_number": "document_number",
    "addressees": "addressees",
    "copy_to": "copy_to",
    "printed_by": "printed_by",
    "work_plan": "work_plan",
}
_KIND_NAMES = {str: "文字（加引号）", int: "整数", dt.date: "日期（如 2022-08-31）", list: "列表"}
