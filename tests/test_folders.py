"""The input and output folders: never overlapping (links included), every entry of the input
folder accounted for, names that are not UTF-8 read and shown, an unreadable folder exit 2."""

import hashlib
import os
from pathlib import Path

import pytest
from helpers import codes

from processor import constants as C
from processor.batch import run
from processor.cli import main
from processor.inputs.round import collect


def tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def published(make_round, tmp_path):
    """A round and an output folder holding its published result."""
    folder = make_round({"东山镇": {}, "西河镇": {}}, folder=tmp_path / "in")
    out = tmp_path / "out"
    assert run(folder, out, pdf=False).published
    return folder, out


# ---- section 2: the folders never overlap ------------------------------------------------------


def overlaps(folder: Path, out: Path, tmp_path: Path):
    """(input, output) pairs that are one folder or one inside the other, directly or by links."""
    (tmp_path / "links").mkdir(exist_ok=True)
    to_input = tmp_path / "links" / "to-input"
    to_input.symlink_to(folder)
    to_results = tmp_path / "links" / "to-results"
    to_results.symlink_to(out / C.RESULTS_DIR)
    return {
        "input inside the output's results": (out / C.RESULTS_DIR, out),
        "input inside the output's feedback": (out / C.RESULTS_DIR / C.FEEDBACK_DIR, out),
        "input is the output": (out, out),
        "output inside the input": (folder, folder / "out"),
        "output is a link to the input": (folder, to_input),
        "output inside a link to the input": (folder, to_input / "sub"),
        "input is a link into the output": (to_results, out),
        "input reached through a link, output inside it": (to_input, folder / "out"),
    }


CASES = [
    "input inside the output's results",
    "input inside the output's feedback",
    "input is the output",
    "output inside the input",
    "output is a link to the input",
    "output inside a link to the input",
    "input is a link into the output",
    "input reached through a link, output inside it",
]


@pytest.mark.parametrize("case", CASES)
def test_overlapping_folders_are_a_usage_error_before_anything_is_written(case, published, tmp_path, capsys):
    folder, out = published
    input_dir, output_dir = overlaps(folder, out, tmp_path)[case]
    before_in, before_out = tree(folder), tree(out)
    assert main(["run", "--no-pdf", "--input", str(input_dir), "--output", str(output_dir)]) == 2
    shown = capsys.readouterr().err
    assert "不能相同或互相包含" in shown and "Traceback" not in shown
    assert tree(folder) == before_in and tree(out) == before_out
    assert not (folder / "out").exists()


def test_the_same_folder_reached_another_way_is_refused_by_its_identity(
    published, tmp_path, monkeypatch, capsys
):
    """A mapped network drive or a mount that the path does not reveal (simulated: links are
    left unresolved, as ``realpath`` leaves a Windows mapped drive)."""
    _folder, out = published
    alias = tmp_path / "alias"
    alias.symlink_to(out)
    monkeypatch.setattr(os.path, "realpath", lambda p, **kw: os.path.abspath(p))
    assert main(["run", "--no-pdf", "--input", str(alias / C.RESULTS_DIR), "--output", str(out)]) == 2
    assert "不能相同或互相包含" in capsys.readouterr().err


def test_issue_never_overwrites_its_own_roster(tmp_path, capsys):
    from helpers import write_table

    issued = tmp_path / "issued"
    roster = write_table(
        issued / "东山镇评分表.xlsx", C.CASE_COUNTS_TEMPLATE, C.CASE_COUNTS_SHEET, [["东山镇", 1]]
    )
    before = roster.read_bytes()
    assert main(["issue", str(roster), "--output", str(issued)]) == 2
    assert "乡镇名单文件本身" in capsys.readouterr().err and roster.read_bytes() == before


# ---- section 3: every entry of the input folder is accounted for ------------------------------


def make_entry(folder: Path, name: str, kind: str) -> None:
    path = folder / name
    if kind == "broken link":
        path.symlink_to(folder / "不存在的文件.xlsx")
    elif kind == "link loop":
        path.symlink_to(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "link to a folder":
        (folder.parent / "elsewhere").mkdir(exist_ok=True)
        path.symlink_to(folder.parent / "elsewhere")
    elif kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()


KINDS = ["broken link", "link loop", "fifo", "folder", "link to a folder", "socket"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["南岭乡.xlsx", "北坪镇.XLSX", C.CASE_COUNTS_FILE, C.CRITICISMS_FILE])
def test_an_xlsx_entry_that_is_no_regular_file_is_an_error_naming_it(
    name, kind, make_round, tmp_path, capsys
):
    folder = make_round({"东山镇": {}, "西河镇": {}}, folder=tmp_path / "in")
    (folder / name).unlink(missing_ok=True)  # a companion table is replaced by the odd entry
    make_entry(folder, name, kind)
    out = tmp_path / "out"
    assert main(["run", "--no-pdf", "--input", str(folder), "--output", str(out)]) == 1
    assert name in capsys.readouterr().out
    found = reported(out)
    assert [code for file, code in found if file == name] == ["FILE_NOT_REGULAR"], found
    assert not (out / C.RESULTS_DIR).exists()


def reported(out: Path) -> list[tuple[str, str]]:
    """(file, code) of every row of the run's problem list."""
    import openpyxl

    rows = openpyxl.load_workbook(out / C.VALIDATION_REPORT_FILE)[C.OUT_PROBLEMS].iter_rows(
        min_row=2, values_only=True
    )
    return [(row[1], row[-1]) for row in rows]


def load():
    from processor.rules.rubric import load_rubric

    return load_rubric()


def test_an_unreadable_sheet_is_an_error_naming_it(make_round, tmp_path, monkeypatch):
    """Permission denied (simulated: the tests run as root, whom chmod does not stop)."""
    import builtins

    folder = make_round({"东山镇": {}, "西河镇": {}}, folder=tmp_path / "in")
    target = folder / "001.xlsx"
    real = builtins.open

    def refused(file, *args, **kwargs):
        if Path(file) == target:
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refused)
    outcome = run(folder, tmp_path / "out", pdf=False)
    (found,) = [p for p in outcome.round.problems if p.file == "001.xlsx"]
    assert found.code.name == "FILE_UNREADABLE" and "没有权限" in found.message
    assert not outcome.published


@pytest.mark.parametrize(
    "names",
    [
        ("Case_Counts.xlsx", C.CASE_COUNTS_FILE),
        ("CASE_COUNTS.xlsx", C.CASE_COUNTS_FILE),
        ("ｃａｓｅ＿ｃｏｕｎｔｓ.xlsx", C.CASE_COUNTS_FILE),  # full-width
        ("Criticisms.XLSX", C.CRITICISMS_FILE),
        ("Settings.toml", C.SETTINGS_FILE),
        ("ＲＯＳＴＥＲ.xlsx", C.ROSTER_FILE),
    ],
)
def test_two_companion_files_differing_only_in_case_or_width_are_an_error(names, make_round, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    other, canonical = names
    source = folder / canonical
    if not source.exists():
        source.write_bytes((folder / C.CASE_COUNTS_FILE).read_bytes() if canonical.endswith(".xlsx") else b"")
    (folder / other).write_bytes(source.read_bytes())
    problems = collect(folder, load()).problems
    ambiguous = sorted(p.file for p in problems if p.code.name == "COMPANION_AMBIGUOUS")
    assert ambiguous == sorted([other, canonical]), codes(problems)


def test_a_companion_named_in_full_width_alone_is_read(make_round, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    (folder / C.CASE_COUNTS_FILE).rename(folder / "Case_Counts.xlsx")
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.published, codes(outcome.round.problems)


@pytest.mark.parametrize(
    "name", ["setting.toml", "settings.toml.txt", "settings (1).toml", "本轮设置.toml", "SETTINGS.TXT"]
)
def test_a_settings_file_under_another_name_is_an_error_not_ignored(name, make_round, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    (folder / name).write_text('[county]\ndocument_number = "X行服〔2025〕1号"\n', encoding="utf-8")
    problems = collect(folder, load()).problems
    assert [(p.code.name, p.file) for p in problems] == [("SETTINGS_MISNAMED", name)]


def test_a_subfolder_with_sheets_is_an_error_and_an_empty_one_a_warning(make_round, make_sheet, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    make_sheet("西河镇", folder=folder / "第二批", name="西河镇.xlsx")
    (folder / "旧资料").mkdir()
    found = {(p.code.name, p.file) for p in collect(folder, load()).problems}
    assert found == {("SUBFOLDER_HAS_SHEETS", "第二批"), ("FOLDER_IGNORED", "旧资料")}


GBK = "东山镇评分表.xlsx".encode("gbk")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (GBK, "东山镇评分表.xlsx"),  # an unzip of a Windows zip: GBK bytes
        ("西河镇.xlsx".encode("gb18030"), "西河镇.xlsx"),
        (b"\xff\xfe\xfd.xlsx", "\ufffd\ufffd\ufffd.xlsx"),  # bytes of no known encoding
    ],
)
def test_names_that_are_not_utf8_are_read_and_shown_readably(raw, shown, make_round, make_sheet, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    sheet = folder / "000.xlsx"
    target = os.path.join(os.fsencode(folder), raw)
    os.rename(sheet, target)
    out = tmp_path / "out"
    assert main(["run", "--no-pdf", "--input", str(folder), "--output", str(out)]) == 0
    outcome = run(folder, tmp_path / "again", pdf=False)
    assert outcome.published
    (sheet,) = outcome.round.sheets
    assert sheet.file == shown and sheet.file.encode("utf-8")
    notes = [p for p in outcome.round.problems if p.code.name == "FILE_NAME_ENCODING"]
    assert [p.file for p in notes] == [shown]
    import openpyxl

    manifest = openpyxl.load_workbook(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_MANIFEST]
    assert shown in [row[0] for row in manifest.iter_rows(values_only=True)]


def test_check_of_a_file_whose_name_is_not_utf8(make_sheet, tmp_path, capsys):
    sheet = make_sheet("东山镇")
    target = os.path.join(os.fsencode(sheet.parent), GBK)
    os.rename(sheet, target)
    assert main(["check", os.fsdecode(target)]) == 0
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "check"])
def test_an_unreadable_input_folder_is_exit_2(command, make_round, tmp_path, monkeypatch, capsys):
    """Permission denied on listing the folder (simulated: root lists anything)."""
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    real = os.scandir

    def refused(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refused)
    args = ["run", "--no-pdf", "--input", str(folder), "--output", str(tmp_path / "out")]
    assert main(args if command == "run" else ["check", str(folder)]) == 2
    shown = capsys.readouterr().err
    assert str(folder) in shown and "没有权限" in shown and "Traceback" not in shown
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_an_input_folder_that_is_not_a_folder_is_exit_2(kind, tmp_path, capsys):
    target = tmp_path / "in"
    if kind == "file":
        target.write_text("x")
    assert main(["run", "--input", str(target), "--output", str(tmp_path / "out")]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("name", [".东山镇.xlsx", "._西河镇.xlsx", ".Case_Counts.XLSX"])
def test_a_hidden_xlsx_is_skipped_with_a_warning_not_silently(name, make_round, tmp_path):
    folder = make_round({"东山镇": {}}, folder=tmp_path / "in")
    (folder / name).write_bytes((folder / "000.xlsx").read_bytes())
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.published and [(p.code.name, p.file) for p in outcome.round.problems] == [
        ("FILE_HIDDEN", name)
    ]
