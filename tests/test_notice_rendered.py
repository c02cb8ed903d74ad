"""The example round's notice as a person sees it, rendered by headless Chromium (launched
directly, no driver library): Chinese drawn with CJK fonts, 28 characters to a line, "— 1 —" page
numbers on the outer side, sections in order. Skipped with the reason where Chromium is absent."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from processor import constants as C
from processor.batch import run
from processor.outputs.pdf import find_browser, run_browser

EXAMPLE = Path(__file__).resolve().parent.parent / "input"

pytestmark = [
    pytest.mark.pdf,
    pytest.mark.skipif(find_browser() is None, reason="Chromium is not installed (.ci/run installs it)"),
]

MEASURE = """
<p id="grid">%s</p>
<script>
const cjk = /[\\u3400-\\u9fff\\u3000-\\u303f\\uff00-\\uffef]/;
const elements = [];
for (const el of document.querySelectorAll("body *")) {
  const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join("");
  if (cjk.test(own)) elements.push({tag: el.tagName, font: getComputedStyle(el).fontFamily, text: own.trim().slice(0, 12)});
}
const grid = document.getElementById("grid");
document.querySelector(".body").appendChild(grid);
const text = grid.firstChild, range = document.createRange(), lines = [];
let lineTop = null;
for (let i = 0; i < text.length; i++) {
  range.setStart(text, i); range.setEnd(text, i + 1);
  const y = Math.round(range.getClientRects()[0].top);
  if (y !== lineTop) { lines.push(0); lineTop = y; }
  lines[lines.length - 1]++;
}
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({elements, lines});
document.body.appendChild(out);
</script>
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notice")
    shutil.copytree(EXAMPLE, folder / "input")
    outcome = run(folder / "input", folder / "output")
    assert outcome.exit_code == 0
    assert [p.code.name for p in outcome.notes] == ["PDF_MADE"]
    return folder / "output" / C.RESULTS_DIR


@pytest.fixture(scope="module")
def measured(published, tmp_path_factory):
    html = (published / C.NOTICE_FILE).read_text(encoding="utf-8")
    probe = tmp_path_factory.mktemp("probe") / "probe.html"
    probe.write_text(html.replace("</body>", MEASURE % ("评" * 100) + "</body>"), encoding="utf-8")
    dom = run_browser(find_browser(), ["--dump-dom", probe.as_uri()]).stdout.decode("utf-8")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def installed_families(*pattern: str) -> set[str]:
    listed = subprocess.run(["fc-list", *pattern, "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def test_every_chinese_element_is_drawn_with_an_installed_cjk_font(measured):
    installed, cjk = installed_families(":"), installed_families(":lang=zh")
    assert measured["elements"]
    for element in measured["elements"]:
        stack = [f.strip().strip('"') for f in element["font"].split(",")]
        used = next((f for f in stack if f in installed), None)
        # what Chromium draws with is the first family of the stack that is installed; a generic
        # family reached instead would be fontconfig's guess (a 楷体 face, or boxes)
        assert used in cjk, (element, used)


def test_a_line_holds_28_characters_of_body_text(measured):
    first, *full, last = measured["lines"]
    assert first == 26  # indented two characters
    assert set(full) == {28}
    assert first + sum(full) + last == 100


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def colophon_last_on_an_even_page(pages: list[str]) -> bool:
    """GB/T 9704-2012 §7.5, as printed: the 版记 alone on the last page, an even one; a blank page
    before it where the count needs one; every other page numbered in turn; neither the blank
    page nor the 版记 page numbered. True when the blank page was needed."""
    numbers = [re.findall(r"—\s*(\d+)\s*—", page) for page in pages]
    assert len(pages) % 2 == 0, len(pages)
    assert numbers[-1] == [] and "抄送" in pages[-1] and "印发" in pages[-1]
    assert "排名" not in pages[-1]  # alone: the attachment ends on an earlier page
    blank = not pages[-2].strip()
    numbered = pages[: -2 if blank else -1]
    assert numbers[: len(numbered)] == [[str(n)] for n in range(1, len(numbered) + 1)]
    return blank


def test_the_pdf_pages_carry_numbers_on_the_outer_side_but_the_colophon_page(published):
    pdf = published / C.NOTICE_PDF_FILE
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    colophon_last_on_an_even_page(pages)
    # odd pages on the right, even pages on the left (double-sided printing)
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    for n, page in enumerate(box.split("<page ")[1:3], start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        x = [float(m) for m in re.findall(r'xMin="([\d.]+)"[^>]*>—</word>', page)]
        assert x, page[-500:]
        assert (min(x) > width / 2) if n % 2 else (max(x) < width / 2)


def test_the_sections_come_in_order_and_the_pdf_uses_no_latin_fallback_font(published):
    pdf = published / C.NOTICE_PDF_FILE
    text = "".join(pdf_pages(pdf))
    order = [
        "X行服〔2022〕18号",
        "各乡镇人民政府",
        "一、评定结果",
        "二、降级情况",
        "三、结果运用",
        "四、工作要求",
    ]
    order += ["附件：", "2022年8月31日", "排名", "绩效加分", "抄送：", "印发"]
    at = 0
    for marker in order:  # each one after the one before
        at = text.find(marker, at)
        assert at >= 0, f"{marker} missing or out of order"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert not re.search(r"DejaVu|Liberation|FreeSerif", fonts)


def test_the_pdf_is_byte_identical_across_runs(published, tmp_path):
    folder = tmp_path / "again"
    run(published.parent.parent / "input", folder)
    assert (folder / C.RESULTS_DIR / C.NOTICE_PDF_FILE).read_bytes() == (
        published / C.NOTICE_PDF_FILE
    ).read_bytes()


def test_the_attachment_header_row_repeats_on_every_printed_page(make_round, tmp_path):
    """A round long enough for the ranking table to run over several pages."""
    names = [f"乡{n:02d}" for n in range(70)]
    folder = make_round({n: {} for n in names}, counts={n: 500 - i for i, n in enumerate(names)})
    assert run(folder, tmp_path / "out").exit_code == 0
    pages = pdf_pages(tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_PDF_FILE)
    row = re.compile(r"^\s*\d+\*?\s+乡\d\d\s+\d+\.\d", re.M)  # 排名 乡镇 总分 … of the table
    table_pages = [p for p in pages if row.search(p)]
    assert len(table_pages) >= 2, [p[:200] for p in pages]
    for page in table_pages:
        header = re.search(r"排名\s+乡镇\s+总分\s+初评等级\s+降级情况\s+等级\s+绩效加分", page)
        assert header, page[:400]


def _notice_of(make_round, tmp_path, townships: int, criticisms=(), tie=False) -> list[str]:
    names = [f"乡{n:02d}" for n in range(townships)]
    scores = {n: ({"3.3": 3} if tie and i in (1, 2) else {"3.3": 4 - i % 3}) for i, n in enumerate(names)}
    folder = make_round(scores, counts={n: 900 - i for i, n in enumerate(names)}, criticisms=criticisms)
    assert run(folder, tmp_path / "out").exit_code == 0
    return pdf_pages(tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_PDF_FILE)


LONG = "窗口工作人员上班时间离岗，群众等候超过30分钟，经核实情况属实，"


@pytest.mark.parametrize(
    ("townships", "criticisms", "tie"),
    [
        (5, (), False),
        (12, (["乡00", "2022-05-03", "市效能办", LONG, None],), True),
        (18, tuple([f"乡{n:02d}", "2022-06-01", "媒体曝光", LONG * 4, None] for n in range(6)), True),
        (70, (), False),
    ],
)
def test_the_colophon_prints_alone_on_an_even_last_page_whatever_the_length(
    make_round, tmp_path, townships, criticisms, tie
):
    pages = _notice_of(make_round, tmp_path, townships, criticisms, tie)
    colophon_last_on_an_even_page(pages)


def test_a_blank_page_goes_before_the_colophon_only_when_the_count_needs_one(published, tmp_path):
    from processor.outputs.pdf import with_even_pages

    printed = tmp_path / "as-printed.pdf"  # Chromium's own print of the example: an odd count
    run_browser(
        find_browser(),
        [f"--print-to-pdf={printed}", "--no-pdf-header-footer", (published / C.NOTICE_FILE).as_uri()],
    )
    before = pdf_pages(printed)
    assert len(before) % 2 == 1
    fixed = tmp_path / "fixed.pdf"
    fixed.write_bytes(with_even_pages(printed.read_bytes()))
    after = pdf_pages(fixed)
    assert after == [*before[:-1], "", before[-1]]  # the blank page before the 版记, nothing else
    assert with_even_pages(fixed.read_bytes()) == fixed.read_bytes()  # an even count stays as it is
    assert colophon_last_on_an_even_page(after)


def test_the_annex_note_breaks_between_words_under_the_name(published):
    from helpers import pdf_pages as pages_with_boxes

    for _, _, words in pages_with_boxes(published / C.NOTICE_PDF_FILE):
        at = next((i for i, w in enumerate(words) if w[0].startswith("附件：")), None)
        if at is not None:
            break
    first, second = words[at], words[at + 1]
    assert first[0] == "附件：2022年乡镇便民服务中心标准化等级评定" and second[0] == "结果汇总表"
    assert second[2] > first[2] + 10  # on the next line
    name_starts = first[1] + (first[3] - first[1]) * 3 / (len(first[0]) - 2)  # after 附件：
    assert abs(second[1] - name_starts) < 4  # under the name's first character, not the margin


def test_a_browser_prints_the_notice_without_headers_and_footers_of_its_own(published, tmp_path):
    """As the clerk prints notice.html from Chrome or Edge with the print dialog's headers and
    footers on (their default): the page's margin box keeps the date, title and address off."""
    pdf = tmp_path / "browser.pdf"
    run_browser(find_browser(), [f"--print-to-pdf={pdf}", (published / C.NOTICE_FILE).as_uri()])
    pages = pdf_pages(pdf)
    text = "".join(pages)
    assert "file:" not in text and "打印提示" not in text
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}|\b\d+/\d+\b", text)  # the date, "1/5"
    assert pages[0].lstrip().startswith("XX县行政服务中心")  # no title above the red header
    assert "打印提示" in (published / C.NOTICE_FILE).read_text(encoding="utf-8")  # shown on screen


def test_every_printed_feedback_page_names_its_township_and_its_number(make_round, tmp_path):
    """Loose pages of several townships, printed from a browser (its headers and footers on)."""
    folder = make_round({"东山镇": {"1.1": 1}, "西河乡": {}}, remarks={"东山镇": {"1.1": "台账不全" * 20}})
    assert run(folder, tmp_path / "out", pdf=False).exit_code == 0
    for township in ("东山镇", "西河乡"):
        pdf = tmp_path / f"{township}.pdf"
        page = tmp_path / "out" / C.RESULTS_DIR / C.FEEDBACK_DIR / f"{township}.html"
        run_browser(find_browser(), [f"--print-to-pdf={pdf}", page.as_uri()])
        pages = pdf_pages(pdf)
        assert len(pages) >= 2
        for n, text in enumerate(pages, start=1):
            assert f"{township}便民服务中心2022年标准化等级评定得分反馈" in text, n
            assert re.search(rf"第\s*{n}\s*页，共\s*{len(pages)}\s*页", text), n
            assert "file:" not in text
