"""The stages before the final notice (processor run --stage): the draft for the leading group's
approval lists every point it has to decide; the 公示 groups the grades, states its period in
working days and where objections go; neither touches the published result. Working days skip
weekends and the county's holidays and count its 调休 workdays."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from helpers import ROOT, codes

from processor import constants as C
from processor.batch import run
from processor.register import db, publicity, rounds
from processor.rules.calendar import working_period

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "holidays", "workdays", "period"),
    [
        (D(2022, 8, 19), 5, (), (), (D(2022, 8, 19), D(2022, 8, 25))),  # a Friday: over the weekend
        (D(2022, 8, 20), 5, (), (), (D(2022, 8, 22), D(2022, 8, 26))),  # a Saturday: from Monday
        (D(2022, 8, 22), 1, (), (), (D(2022, 8, 22), D(2022, 8, 22))),
        # 2022 National Day: 1-7 October off, Saturday 8 and Sunday 9 worked
        (D(2022, 9, 29), 5, [D(2022, 10, d) for d in range(1, 8)], [D(2022, 10, 8), D(2022, 10, 9)],
         (D(2022, 9, 29), D(2022, 10, 10))),
        (D(2022, 12, 30), 3, [D(2023, 1, 2)], (), (D(2022, 12, 30), D(2023, 1, 4))),  # over the new year
    ],
)  # fmt: skip
def test_a_period_of_working_days(start, days, holidays, workdays, period):
    assert working_period(start, days, holidays, workdays) == period


def decided_round(make_round):
    """Two townships tied across the 一等/二等 line, one criticised, one without any point."""
    scores = {"甲镇": {}, "乙镇": {"3.6": 4.5}, "丙镇": {"3.6": 4.5}, "丁镇": {"3.6": 4}, "戊镇": {"3.6": 3}}
    criticisms = [["丁镇", D(2022, 6, 1), "市效能办", "窗口人员离岗", ""]]
    return make_round(
        scores,
        counts={t: 1 for t in scores},
        remarks={t: {"3.6": "x"} for t in scores},
        criticisms=criticisms,
    )


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_approval_draft_puts_every_point_to_the_leading_group(make_round, tmp_path):
    outcome = run(decided_round(make_round), tmp_path / "out", pdf=False, stage_name=C.STAGE_APPROVAL)
    assert outcome.exit_code == 0 and outcome.published
    html = (tmp_path / "out" / "审批稿.html").read_text(encoding="utf-8")
    text = text_of(html)
    assert "等级评定结果（审批稿）" in text and "需要研究确定的事项" in text and "请审批" in text
    assert "丙镇、乙镇总分相同" in text and "跨越一等与二等的名次界线" in text
    assert "丁镇便民服务中心评定得分" in text and "被市效能办通报批评" in text
    assert "评定工作领导小组审批意见" in text
    assert '<td class="marks">并列</td>' in html and '<td class="marks">降级</td>' in html
    # nothing issued: no red header, no number, no 版记; nothing published
    assert 'class="issuer"' not in html and 'class="colophon-page"' not in html
    assert not (tmp_path / "out" / C.RESULTS_DIR).exists()


def test_an_approval_draft_with_nothing_to_decide_says_so(make_round, tmp_path):
    folder = make_round({"甲镇": {}, "乙镇": {"3.6": 4}}, remarks={"乙镇": {"3.6": "x"}})
    run(folder, tmp_path / "out", pdf=False, stage_name=C.STAGE_APPROVAL)
    text = text_of((tmp_path / "out" / "审批稿.html").read_text(encoding="utf-8"))
    assert "没有跨越等级界线的并列名次、评定人员评分差异、降级或等级限制事项" in text


PUBLICITY = '[publicity]\nstarts_on = 2022-08-19\ncontact = "县行政服务中心标准化建设股，电话0000-1234567"\n'


def test_the_publicity_states_its_period_its_contact_and_the_rules_for_objections(make_round, tmp_path):
    folder = decided_round(make_round)
    (folder / C.SETTINGS_FILE).write_text(PUBLICITY, encoding="utf-8")
    register = tmp_path / "register"
    outcome = run(folder, tmp_path / "out", pdf=False, stage_name=C.STAGE_PUBLICITY, register=register)
    assert outcome.exit_code == 0 and codes(outcome.notes)[-1] == "PUBLICITY_RECORDED"
    text = text_of((tmp_path / "out" / "公示.html").read_text(encoding="utf-8"))
    assert "公示期为2022年8月19日至2022年8月25日（五个工作日）" in text
    assert "县行政服务中心标准化建设股，电话0000-1234567" in text
    assert "以书面形式" in text and "真实姓名" in text and "加盖单位公章" in text and "不予受理" in text
    assert "一等乡镇便民服务中心（3个）：甲镇便民服务中心、丙镇便民服务中心、乙镇便民服务中心。" in text
    assert text.rstrip().endswith("2022年8月19日")  # signed on the day it starts
    with db.opened(register, create=False) as connection:
        (recorded,) = publicity.publicities(connection)
        assert rounds.all_rounds(connection) == []  # a 公示 is no publication
    assert (recorded.starts_on, recorded.ends_on) == (D(2022, 8, 19), D(2022, 8, 25))


def test_a_publicity_with_a_register_it_cannot_use_is_not_published(make_round, tmp_path):
    folder = decided_round(make_round)
    (folder / C.SETTINGS_FILE).write_text(PUBLICITY, encoding="utf-8")
    register = tmp_path / "register"
    register.mkdir()
    db.path_in(register).write_bytes(b"not a register" * 50)
    with pytest.raises(db.RegisterError, match="不是本程序的登记簿"):
        run(folder, tmp_path / "out", pdf=False, stage_name=C.STAGE_PUBLICITY, register=register)
    assert not (tmp_path / "out" / "公示.html").exists()
    assert db.path_in(register).read_bytes() == b"not a register" * 50


def test_a_publicity_without_its_start_or_contact_is_refused_naming_the_keys(make_round, tmp_path):
    folder = make_round({"甲镇": {}})
    outcome = run(folder, tmp_path / "out", pdf=False, stage_name=C.STAGE_PUBLICITY)
    assert outcome.exit_code == 1 and not (tmp_path / "out" / "公示.html").exists()
    found = [p for p in outcome.round.problems if p.code.name == "PUBLICITY_SETTING_MISSING"]
    assert [dict(p.params)["key"] for p in found] == ["publicity.starts_on", "publicity.contact"]
    assert all(p.file == C.SETTINGS_FILE for p in found)
    late = PUBLICITY.replace("2022-08-19", "2022-08-29")  # ends after the notice's 2022-08-31
    (folder / C.SETTINGS_FILE).write_text(late, encoding="utf-8")
    outcome = run(folder, tmp_path / "out", pdf=False, stage_name=C.STAGE_PUBLICITY)
    assert outcome.exit_code == 0 and "PUBLICITY_AFTER_NOTICE" in codes(outcome.round.problems)


def test_a_stage_leaves_the_published_result_as_it_was(make_round, tmp_path):
    folder = decided_round(make_round)
    out = tmp_path / "out"
    run(folder, out, pdf=False)
    before = {p.name: p.read_bytes() for p in (out / C.RESULTS_DIR).iterdir() if p.is_file()}
    (folder / C.SETTINGS_FILE).write_text(PUBLICITY, encoding="utf-8")
    for stage in (C.STAGE_APPROVAL, C.STAGE_PUBLICITY):
        assert run(folder, out, pdf=False, stage_name=stage).exit_code == 0
    assert {p.name: p.read_bytes() for p in (out / C.RESULTS_DIR).iterdir() if p.is_file()} == before
    assert {p.name for p in out.iterdir()} >= {"审批稿.html", "公示.html", C.RESULTS_DIR}


@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_the_stage_documents_print_in_the_notices_fonts(tmp_path):
    from processor.outputs.pdf import find_browser

    if find_browser() is None:
        pytest.skip("no Chromium, Chrome or Edge to print with")
    folder = tmp_path / "input"
    shutil.copytree(ROOT / "input", folder)
    with open(folder / C.SETTINGS_FILE, "a", encoding="utf-8") as handle:
        handle.write("\n" + PUBLICITY)
    out = tmp_path / "out"
    fonts = {}
    for stage, pdf in ((C.STAGE_NOTICE, out / C.RESULTS_DIR / C.NOTICE_PDF_FILE),
                       (C.STAGE_APPROVAL, out / "审批稿.pdf"), (C.STAGE_PUBLICITY, out / "公示.pdf")):  # fmt: skip
        assert run(folder, out, stage_name=stage).exit_code == 0
        listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts[stage] = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:]}
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
        if stage == C.STAGE_NOTICE:  # only a document with a 版记 is padded to even pages
            assert count % 2 == 0
    assert (
        fonts[C.STAGE_APPROVAL] <= fonts[C.STAGE_NOTICE] and fonts[C.STAGE_PUBLICITY] <= fonts[C.STAGE_NOTICE]
    )
