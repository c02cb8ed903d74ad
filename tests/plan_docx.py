"""Work plans as Word writes them, for the tests of ``processor rubric --from``: the seed's plan
(its grading paragraphs and its attachment table: 序号 | 项目 | 评选内容 | 分值 | 得分, categories
in vertically merged cells, a group such as 好差评 merged over its sub-items, a 小计 row per
category and a 合计 row), and another county's, with other columns."""

from __future__ import annotations

from pathlib import Path

import docx

PLAN_TEXT = (
    "一等：按各乡镇便民服务中心等级评定评分总得分排名在前两名，同时未被省、市效能办、市行政服务中心通报批评"
    "和未被媒体曝光的被评为一等，有上述情形的降低一个等级；"
    "二等：按各乡镇便民服务中心等级评定评分总得分排名在第三名至第六名，同时未被通报批评的被评为二等；"
    "三等：按各乡镇便民服务中心等级评定评分总得分排名在第七至第十一名，同时未被通报批评的被评为三等。",
    "根据等级评定结果，在等级评定当年的县对乡镇年度绩效考评时分别给予一等、二等、三等的乡镇便民服务中心加5分、3分、2分。",
)


def _merge_down(table, col: int, first: int, last: int, text: str) -> None:
    cell = table.cell(first, col)
    if last > first:
        cell = cell.merge(table.cell(last, col))
    cell.text = text


def seed_plan(path: Path, rubric, subtotals: bool = True) -> Path:
    """The seed's plan with the rubric's table laid out as the county's Word file lays it out."""
    document = docx.Document()
    document.add_paragraph("XX县乡镇便民服务中心标准化等级评定工作方案")
    for text in PLAN_TEXT:
        document.add_paragraph(text)
    document.add_paragraph(f"附件：{rubric.title}")
    rows = 1 + len(rubric.items) + (len(rubric.categories) if subtotals else 0) + 1
    table = document.add_table(rows=rows, cols=7)
    head = table.rows[0].cells
    head[0].text, head[1].text, head[5].text, head[6].text = "序号", "项目", "分值", "得分"
    head[2].merge(head[4]).text = "评选内容"
    r = 1
    for category in rubric.categories:
        items = rubric.items_of(category)
        first = r
        groups: dict[str, list[int]] = {}
        for item in items:
            cells = table.rows[r].cells
            if item.group:
                groups.setdefault(item.group, []).append(r)
                cells[3].text = item.name
            else:
                cells[2].merge(cells[3]).text = item.name
            cells[4].text = item.criteria
            cells[5].text = format(item.maximum.normalize(), "f")
            r += 1
        for group, at in groups.items():
            _merge_down(table, 2, at[0], at[-1], group)
        if subtotals:
            cells = table.rows[r].cells
            cells[2].merge(cells[4]).text = "小计"
            cells[5].text = format(category.total.normalize(), "f")
            r += 1
        _merge_down(table, 0, first, r - 1, str(category.number))
        _merge_down(table, 1, first, r - 1, category.name)
    cells = table.rows[r].cells
    cells[0].merge(cells[4]).text = "合计"
    cells[5].text = format(rubric.total.normalize(), "f")
    document.save(str(path))
    return path


def other_county_plan(path: Path) -> Path:
    """Another county's columns (考核项目 | 考核内容 | 考核标准 | 标准分 | 自评分 | 考核分): an item
    without a maximum, a category whose stated total does not add up, a bonus it cannot tell,
    and grades by score (90分以上为优秀)."""
    document = docx.Document()
    document.add_paragraph("YY县为民服务中心星级评定办法")
    document.add_paragraph("优秀：考核得分90分以上；良好：考核得分80分以上；合格：考核得分60分以上。")
    document.add_paragraph("附件：YY县2025年为民服务中心考核评分表")
    rows = [
        ("场所设施设备", "标识标牌", "标识不醒目，发现一次扣1分", "4"),
        ("场所设施设备", "功能区域", "未科学划分功能区域的，每发现一处扣0.5分", "3"),
        ("场所设施设备", "小计", "", "10"),
        ("服务管理", "制度落实", "每缺一项扣0.2分", ""),
        ("服务管理", "创新工作", "工作得到表彰的得2分，每少一项扣1分", "2"),
        ("服务管理", "按时办结", "每超期一件扣1分", "5"),
    ]
    table = document.add_table(rows=len(rows) + 1, cols=6)
    for col, title in enumerate(("考核项目", "考核内容", "考核标准", "标准分", "自评分", "考核分")):
        table.cell(0, col).text = title
    for r, (_, name, criteria, maximum) in enumerate(rows, start=1):
        cells = table.rows[r].cells
        if name == "小计":
            cells[1].merge(cells[2]).text = "小计"
        else:
            cells[1].text, cells[2].text = name, criteria
        cells[3].text = maximum
    _merge_down(table, 0, 1, 3, "场所设施设备")
    _merge_down(table, 0, 4, 6, "服务管理")
    document.save(str(path))
    return path
