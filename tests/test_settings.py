"""settings.toml is validated like a sheet: one schema (types, ranges, allowed keys), every
violation with its key, what was found and what is allowed, unknown keys with the nearest valid
one, a BOM accepted, non-finite numbers and deep nesting refused without a crash."""

import pytest

from processor import constants as C
from processor.cli import main
from processor.rules.settings import load_settings


@pytest.fixture
def folder(make_round, tmp_path):
    return make_round({"东山镇": {}}, folder=tmp_path / "in")


def settings_of(folder, text: str | bytes):
    path = folder / C.SETTINGS_FILE
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_settings(path)


def checked(folder, capsys) -> str:
    """What ``processor check`` prints about the folder; it must exit 1 without a traceback."""
    capsys.readouterr()
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return out.out


WRONG_VALUES = {
    # a string where a table is expected, a number where a list is, a list where a text is
    "text for a table": ('round = "2022"\n', "[round]"),
    "number for a list": ("[criticisms]\nsources = 5\n", "[criticisms] sources"),
    "list for a text": ('[county]\nname = ["XX县"]\n', "[county] name"),
    "table for a value": ("[round.year]\nvalue = 2022\n", "[round] year"),
    "blank text": ('[county]\ndocument_number = "  "\n', "[county] document_number"),
    "control character": ('[county]\ndocument_number = "X行服\\u0007号"\n', "[county] document_number"),
    "long text": (f'[county]\nname = "{"县" * 500}"\n', "[county] name"),
    "boolean for a year": ("[round]\nyear = true\n", "[round] year"),
    "year with a decimal point": ("[round]\nyear = 2022.0\n", "[round] year"),
    "year out of range": ("[round]\nyear = 1900\n", "[round] year"),
    "huge year": ("[round]\nyear = 99999999999999999999999\n", "[round] year"),
    "quoted date": ('[round]\npublication_date = "2022-08-31"\n', "[round] publication_date"),
    "date and time": ("[round]\npublication_date = 2022-08-31T10:00:00\n", "[round] publication_date"),
    "a time": ("[round]\npublication_date = 10:00:00\n", "[round] publication_date"),
    "validity zero": ("[round]\nvalidity_years = 0\n", "[round] validity_years"),
    "since as a number": ("[criticisms]\nsince = 2022\n", "[criticisms] since"),
    "no sources": ("[criticisms]\nsources = []\n", "[criticisms] sources"),
    "a source that is a number": ('[criticisms]\nsources = ["省效能办", 3]\n', "[criticisms] sources 第2项"),
    "the same source twice": ('[criticisms]\nsources = ["媒体曝光", "媒体曝光"]\n', "[criticisms] sources"),
    "grades in the settings (they are the rubric's)": (
        '[[grading.bands]]\ngrade = "一等"\nranks = [1, 2]\n',
        "[grading]",
    ),
    "bands as a text": ('[grading]\nbands = "一等"\n', "[grading]"),
}
ACROSS = {
    "since after the publication": ("[criticisms]\nsince = 2023-01-01\n", "[criticisms] since"),
    "publication before the year": ("[round]\npublication_date = 2021-12-31\n", "[round] publication_date"),
}


@pytest.mark.parametrize("case", sorted({**WRONG_VALUES, **ACROSS}))
def test_every_wrong_value_names_its_key_what_was_found_and_what_is_allowed(case, folder, capsys):
    text, key = {**WRONG_VALUES, **ACROSS}[case]
    settings, problems = settings_of(folder, text)
    assert settings is None and problems
    assert {p.code.name for p in problems} == {"SETTINGS_INVALID"}, [(p.code.name, p.cell) for p in problems]
    assert any(key in p.cell for p in problems), [p.cell for p in problems]
    assert all(p.file == C.SETTINGS_FILE and "应为" in p.message and "现为" in p.message for p in problems)
    assert key in checked(folder, capsys)


UNKNOWN = {
    "a misspelled key": (
        "[round]\npublication_data = 2022-09-01\n",
        "[round] publication_data",
        "[round] publication_date",
    ),
    "a misspelled table": ("[roud]\nyear = 2023\n", "[roud]", "[round]"),
    "a key in the wrong table": (
        '[round]\ndocument_number = "X"\n',
        "[round] document_number",
        "[county] document_number",
    ),
    "a key outside every table": ("year = 2023\n", "year", "[round] year"),
    "a misspelled since": ("[criticisms]\nsinse = 2022-01-01\n", "[criticisms] sinse", "[criticisms] since"),
    "a key of no resemblance": ("[county]\nzzz = 1\n", "[county] zzz", "[county] name"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN))
def test_an_unknown_key_is_an_error_with_the_nearest_valid_key(case, folder, capsys):
    text, key, nearest = UNKNOWN[case]
    settings, problems = settings_of(folder, text)
    assert settings is None
    (found,) = [p for p in problems if p.code.name == "SETTINGS_UNKNOWN_KEY"]
    assert key in found.cell and nearest in found.fix
    shown = checked(folder, capsys)
    assert key in shown and nearest in shown


BOMS = {
    "utf-8 with a BOM": b"\xef\xbb\xbf" + '[county]\ndocument_number = "X行服〔2025〕9号"\n'.encode(),
    "utf-16 with a BOM": '\ufeff[county]\ndocument_number = "X行服〔2025〕9号"\n'.encode("utf-16-le"),
    "crlf line ends": '[county]\r\ndocument_number = "X行服〔2025〕9号"\r\n'.encode(),
}


@pytest.mark.parametrize("case", sorted(BOMS))
def test_what_notepad_writes_is_read(case, folder, tmp_path):
    settings, problems = settings_of(folder, BOMS[case])
    assert problems == [] and settings.document_number == "X行服〔2025〕9号"
    assert main(["run", "--no-pdf", "--input", str(folder), "--output", str(tmp_path / "out")]) == 0
    notice = (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "X行服〔2025〕9号" in notice


UNREADABLE = {
    "gbk": '[county]\nname = "某县"\n'.encode("gbk"),
    "syntax": b"[round]\nyear = \xe4\xba\x8c\n",
    "deep nesting": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep nesting of tables": b"x = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n",
    "a binary file": bytes(range(256)),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_file_that_is_not_settings_text_is_one_clear_problem(case, folder, capsys):
    settings, problems = settings_of(folder, UNREADABLE[case])
    assert settings is None and [p.code.name for p in problems] == ["SETTINGS_UNREADABLE"]
    assert "line" not in problems[0].message
    checked(folder, capsys)


def test_deep_nesting_under_a_known_key_is_refused_without_a_crash(folder, capsys):
    settings, problems = settings_of(folder, "[criticisms]\nsources = " + "[" * 200 + "]" * 200 + "\n")
    assert settings is None and [p.code.name for p in problems] == ["SETTINGS_INVALID"]
    checked(folder, capsys)


def test_an_empty_file_and_the_packaged_defaults_are_valid(folder):
    assert load_settings()[1] == []
    settings, problems = settings_of(folder, "")
    assert problems == [] and settings == load_settings()[0]


def test_every_violation_is_reported_at_once(folder):
    text = '[round]\nyear = "2022"\nvalidity_years = -1\npublication_data = 2022-01-01\n[roud]\n'
    _, problems = settings_of(folder, text)
    assert sorted(p.cell for p in problems) == sorted(
        ["[round] year", "[round] validity_years", "[round] publication_data", "[roud]"]
    )


def test_a_new_setting_is_one_declaration():
    """What a later setting takes: one field with its key and kind (here a choice of words)."""
    from dataclasses import dataclass

    from processor.rules.schema import Choice, Violation, build, setting

    @dataclass(frozen=True)
    class Later:
        mode: str = setting("grading.mode", Choice("rank", "score"), default="rank")

    found: list[Violation] = []
    assert build(Later, {}, found) == Later("rank") and found == []
    assert build(Later, {"grading": {"mode": "score"}}, found) == Later("score")
    assert build(Later, {"grading": {"mode": "points"}}, found) is None
    assert found[0].key == "[grading] mode" and '"rank"' in found[0].allowed
