"""Per-township feedback: what a township reads to see where it lost points, and where the
file goes whatever the township's name says."""

import pytest
from markupsafe import Markup, escape

from processor import constants as C
from processor.batch import run
from processor.outputs.feedback import feedback_names
from processor.outputs.filenames import safe_file_name
from processor.outputs.publish import staging


def test_a_township_reads_its_items_rank_grade_and_weakest_categories(make_round, tmp_path):
    folder = make_round(
        {"东山镇": {}, "西河镇": {"1.1": 1.5, "5.1": 0}, "南岭乡": {}},
        remarks={"西河镇": {"1.1": "未设置填单区", "5.1": "未统一着装"}},
    )
    out = tmp_path / "out"
    assert run(folder, out).exit_code == 0
    html = (out / C.RESULTS_DIR / C.FEEDBACK_DIR / "西河镇.html").read_text(encoding="utf-8")
    assert "未设置填单区" in html and "未统一着装" in html
    assert "第3名" in html and "无等级" not in html.split("初评等级")[0]
    # 1.1 lost 1.5 of its 3 points: maximum, score and deduction on its row
    row = html.split(">1.1<")[1].split("</tr>")[0]
    assert ">3.0<" in row and ">1.5<" in row and row.count(">1.5<") == 2
    # the weakest categories are the ones the deductions fell in, against the county average
    weakest = html.split("得分率最低的是：")[1].split("。")[0]
    assert "场所规范建设" in weakest and "日常管理" in weakest


def test_a_township_with_nothing_below_average_is_told_so(make_round, tmp_path):
    folder = make_round({"东山镇": {}, "西河镇": {"1.1": 1}})
    out = tmp_path / "out"
    run(folder, out)
    assert "均不低于全县平均" in (out / C.RESULTS_DIR / C.FEEDBACK_DIR / "东山镇.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("township", "expected"),
    [
        ("东山镇", "东山镇"),
        ("../x", "_x"),
        ("a/b", "a_b"),
        ("a\\\\b", "a__b"),
        (".hidden", "hidden"),
        ("CON", "_CON"),
        ('东山:镇*?"<>|', "东山_镇______"),
        ("...", "_"),
    ],
)
def test_a_township_name_becomes_one_safe_file_name(township, expected):
    assert safe_file_name(township) == expected


def test_names_that_clean_up_alike_get_distinct_files():
    assert feedback_names(["a/b", "a_b", "A_B"]) == {
        "a/b": "a_b.html",
        "a_b": "a_b-2.html",
        "A_B": "A_B-3.html",
    }


def test_hostile_township_names_stay_inside_the_feedback_folder(make_round, tmp_path):
    folder = make_round({"../x": {}, "a/b": {}, "东山镇": {}})
    out = tmp_path / "out"
    assert run(folder, out).exit_code == 0
    written = sorted(p.relative_to(out / C.RESULTS_DIR).as_posix() for p in out.rglob("*.html"))
    assert written == [
        f"{C.FEEDBACK_DIR}/_x.html",
        f"{C.FEEDBACK_DIR}/a_b.html",
        f"{C.FEEDBACK_DIR}/东山镇.html",
        C.NOTICE_FILE,
    ]
    assert not (tmp_path / "x.html").exists()


def test_the_feedback_folder_is_replaced_as_a_whole(make_round, tmp_path):
    out = tmp_path / "out"
    run(make_round({"东山镇": {}, "西河镇": {}}, folder=tmp_path / "one"), out)
    run(make_round({"南岭乡": {}, "北坪镇": {}}, folder=tmp_path / "two"), out)
    assert sorted(p.name for p in (out / C.RESULTS_DIR / C.FEEDBACK_DIR).iterdir()) == [
        "北坪镇.html",
        "南岭乡.html",
    ]
    assert not [p for p in out.iterdir() if p.name.startswith((".old-", ".staging"))]


def test_a_staged_name_never_has_a_separator(tmp_path):
    with staging(tmp_path / "out") as stage:
        for name in ("a/b", "../x", ".hidden"):
            with pytest.raises(ValueError):
                stage.path(name)
            with pytest.raises(ValueError):
                stage.folder_path(name)


def test_a_township_name_cannot_break_the_page_heading_in_the_style_sheet():
    from processor.outputs.html import css_string

    quoted = str(css_string('东山镇"}</style><script>x</script>\\\n'))
    inner = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"') and inner.startswith("东山镇")
    assert not set(inner) & set("\"'<>&{};\n") and inner.count("\\") == len(inner.split("\\")) - 1


def test_rows_alike_across_townships_are_rendered_once_and_each_page_keeps_its_own(make_round, tmp_path):
    folder = make_round(
        {"东山镇": {}, "西河镇": {"1.1": 1.5}, "南岭乡": {"1.1": 1.5}},
        remarks={"西河镇": {"1.1": "未设置填单区"}, "南岭乡": {"1.1": "填单区无样表"}},
    )
    out = tmp_path / "out"
    assert run(folder, out).exit_code == 0
    pages = out / C.RESULTS_DIR / C.FEEDBACK_DIR

    def row_11(township):
        html = (pages / f"{township}.html").read_text(encoding="utf-8")
        return html.split(">1.1<")[1].split("</tr>")[0]

    assert "未设置填单区" in row_11("西河镇") and "填单区无样表" not in row_11("西河镇")
    assert "填单区无样表" in row_11("南岭乡") and "未设置填单区" not in row_11("南岭乡")
    assert ">1.5<" not in row_11("东山镇") and "填单区" not in row_11("东山镇")


def test_each_renders_a_macro_once_for_every_distinct_argument():
    from processor.outputs.html import each

    calls = []

    class Macro:
        name = "row"

        def __call__(self, argument):
            calls.append(argument)
            return Markup(f"<td>{escape(argument)}</td>")

    rows = each()
    assert rows(Macro(), ["a", "<b>", "a"]) == "<td>a</td><td>&lt;b&gt;</td><td>a</td>"
    assert rows(Macro(), ["<b>", "c"]) == "<td>&lt;b&gt;</td><td>c</td>"
    assert calls == ["a", "<b>", "c"]
