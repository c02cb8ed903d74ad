"""The jinja2 set-up every HTML output shares: the packaged templates, autoescaped and strict,
with the filters that word numbers and dates, and compiled templates kept between runs."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Hashable, Iterable

import jinja2
from markupsafe import Markup

from ..resources import template_file
from .wording import cn_date, cn_number, downgrade_text, limits_text, score_text


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


def _packaged(name: str) -> tuple[str, str, callable]:
    """A template's text from the installed package (importlib.resources), wherever it is."""
    found = template_file(name)
    return found.read_text(encoding="utf-8"), name, lambda: True


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_packaged), bytecode_cache=_compiled_templates(), **SETTINGS
    )
    env.filters["score"] = score_text
    env.filters["cn"] = cn_number
    env.filters["date"] = cn_date
    env.filters["percent"] = score_text  # one decimal, never "-0.0"
    env.filters["downgrade"] = downgrade_text
    env.filters["limits"] = limits_text
    env.filters["css_string"] = css_string
    return env


def each() -> Callable[[jinja2.runtime.Macro, Iterable[Hashable]], Markup]:
    """A template's macro over a list, for macros whose output depends on their argument alone:
    ``{{ each(item_row, lines) }}`` is ``item_row(line)`` for every line, joined, and renders
    each distinct line once for all the pages rendered with the same ``each`` (a province's
    feedback pages repeat most of their rows)."""
    done: dict[tuple[str, Hashable], Markup] = {}

    def call(macro: jinja2.runtime.Macro, arguments: Iterable[Hashable]) -> Markup:
        out = []
        for argument in arguments:
            key = (macro.name, argument)
            found = done.get(key)
            if found is None:
                found = done[key] = macro(argument)
            out.append(found)
        return Markup("").join(out)

    return call


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, for a page's margin boxes in its <style>: every
    character but letters and digits (Chinese included) as a CSS escape, so no text from an input
    can end the string or the style sheet (HTML escaping means nothing inside <style>)."""
    kept = "".join(ch if ch.isalnum() and ch.isprintable() else f"\\{ord(ch):06x}" for ch in text)
    return Markup(f'"{kept}"')
