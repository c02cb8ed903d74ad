"""The worked example of a second county (examples/threshold-county): a table of its own, graded
by score thresholds with a minimum share for every category, a required subtotal and a veto
list, end to end as its clerk would run it: template -> filled sheets -> run -> grades, the
grades worked out here by hand from the plan's rules."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
from helpers import ROOT, write_criticisms

from processor import constants as C
from processor.batch import run
from processor.cli import main
from processor.forms.companions import build_vetoes
from processor.inputs.rubric_book import read_rubric_book
from processor.testing import fill_sheet
from processor.xlsx.save import save_reproducibly

EXAMPLE = ROOT / "examples" / "threshold-county"


def test_the_shipped_example_is_what_its_script_makes(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_examples.py"), str(tmp_path)], check=True, cwd=ROOT
    )
    for name in (C.RUBRIC_FILE, C.SETTINGS_FILE):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


@pytest.fixture
def county_round(tmp_path):
    """The county's round folder, its sheets filled on the template its table makes."""
    assert (
        main(["template", "--rubric", str(EXAMPLE / C.RUBRIC_FILE), "--output", str(tmp_path / "模板")]) == 0
    )
    rubric, problems = read_rubric_book((EXAMPLE / C.RUBRIC_FILE).read_bytes(), C.RUBRIC_FILE)
    assert not problems and (tmp_path / "模板" / C.VETOES_TEMPLATE).is_file()
    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(EXAMPLE / C.RUBRIC_FILE, folder)
    shutil.copy(EXAMPLE / C.SETTINGS_FILE, folder)
    cases = {
        "甲乡": {},
        "乙乡": {"4.1": 0},
        "丙乡": {"2.2": 3},
        "丁乡": {"3.3": 0},
        "戊乡": {"3.3": 0, "3.4": 0, "3.1": 5, "2.2": 5, "1.3": 0},  # 100 - 12 - 10 - 5 - 5 - 5 = 63
        "己乡": {},
        "庚乡": {
            "3.3": 0,
            "3.4": 0,
            "3.1": 0,
            "3.2": 4,
            "1.1": 5,
            "1.3": 1,
        },  # 100 - 12 - 10 - 10 - 4 - 1 - 4 = 59
    }
    for township, scores in cases.items():
        remarks = {code: "现场查验扣分" for code in scores}
        fill_sheet(folder / f"{township}.xlsx", rubric, township=township, scores=scores, remarks=remarks,
                   template=tmp_path / "模板" / C.SCORE_SHEET_TEMPLATE, date=dt.date(2025, 10, 15))  # fmt: skip
    vetoes = build_vetoes(rubric)
    vetoes[C.VETOES_SHEET].append(["己乡", "2025-09-01", "弄虚作假", "迎检台账补记"])
    save_reproducibly(vetoes, folder / C.VETOES_FILE, dt.datetime(2025, 1, 1))
    write_criticisms(folder, [])
    return folder


def test_the_threshold_county_end_to_end(county_round, tmp_path):
    outcome = run(county_round, tmp_path / "output", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    results = {r.township: r for r in outcome.results.townships}
    totals = {t: r.total for t, r in results.items()}
    assert totals == {"甲乡": 100, "乙乡": 90, "丙乡": 93, "丁乡": 88, "戊乡": 63, "己乡": 100, "庚乡": 59}
    expected = {
        "甲乡": "优秀",
        "乙乡": "良好",
        "丙乡": "合格",
        "丁乡": "良好",
        "戊乡": "合格",
        "己乡": C.NO_GRADE,
        "庚乡": C.NO_GRADE,
    }
    assert {t: r.final for t, r in results.items()} == expected
    assert {t: r.bonus for t, r in results.items()} == {
        t: Decimal({"优秀": 3, "良好": 2, "合格": 1}.get(g, 0)) for t, g in expected.items()
    }
    notice = (tmp_path / "output" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "总分90分及以上且各类得分率均不低于80%的评为优秀" in notice and "按总分排名确定等级" not in notice
    assert "YY县政务服务中心文件" in notice and "办件数量" not in notice
    assert "服务规范得分23.0分，未达必达分24.0分，最高评为合格" in notice
    assert "被一票否决（弄虚作假：迎检台账补记）" in notice


def test_the_county_regenerates_byte_for_byte_from_its_register(county_round, tmp_path):
    """Its own rubric workbook, vetoes and settings archived with its sheets."""
    register = tmp_path / "register"
    run = ["run", "--no-pdf", "--input", str(county_round), "--output", str(tmp_path / "out")]
    assert main([*run, "--register", str(register)]) == 0
    (year,) = {
        line.split("=")[1].strip()
        for line in (EXAMPLE / C.SETTINGS_FILE).read_text(encoding="utf-8").splitlines()
        if line.startswith("year")
    }
    assert main(["register", "--register", str(register), "--regenerate", year]) == 0
