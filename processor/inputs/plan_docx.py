"""The county's work plan (a Word .docx) -> a draft of the rubric workbook, for the clerk to review.

The plan's attachment is a table (序号 | 项目 | 评选内容 | 分值 | 得分 in this county; 考核项目 |
考核内容 | 考核标准 | 标准分 … in others), with categories in vertically merged cells and, in
some plans, a category total in a row of its own. Columns are recognised by their header text;
merged cells are read as Word merges them (python-docx repeats a merged cell in every row and
column it covers). Whatever cannot be read with certainty is marked in the 待核对 column and
returned as a line for the clerk: an item without a maximum, a category whose items do not add
up to its stated total, an item scored by rank (its points), a bonus item it cannot tell, the
grading rules read from the plan's text. Nothing is guessed silently."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .. import constants as C
from ..rules.draft import Draft
from .names import text_key

# Header texts of each kind of column (compared after text_key), in other places' words too.
NUMBER = ("序号", "编号")
CATEGORY = ("项目", "类别", "考核项目", "评价项目", "一级指标", "考核类别")
CONTENT = (
    "评选内容",
    "考核内容",
    "评分标准",
    "考核标准",
    "评价内容",
    "指标内容",
    "二级指标",
    "三级指标",
    "考评内容",
    "评分细则",
    "考核细则",
)
MAXIMUM = ("分值", "标准分", "分数", "满分", "标准分值")
IGNORED = ("得分", "自评分", "考核分", "评分", "实得分", "扣分", "备注", "扣分/加分情况", "考核办法")
NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
CN = "零一二三四五六七八九十"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TOTAL_ROW = re.compile(r"(小计|合计|总分|总计)")  # at the start of a row's text


def _kind_of(header: str) -> str | None:
    key = text_key(header)
    for kind, names in (
        ("number", NUMBER),
        ("category", CATEGORY),
        ("maximum", MAXIMUM),
        ("ignored", IGNORED),
        ("content", CONTENT),
    ):
        if any(key == text_key(n) for n in names):
            return kind
    if any(text_key(n) in key for n in CONTENT):
        return "content"
    if any(text_key(n) in key for n in MAXIMUM):
        return "maximum"
    return None


def _number(text: str) -> Decimal | None:
    found = _NUMBER.fullmatch(text.strip().rstrip("分"))
    try:
        return Decimal(found.group()) if found else None
    except InvalidOperation:
        return None


def _integer(text: str) -> int | None:
    text = text.strip().strip("、.．")
    if text.isdigit():
        return int(text)
    if text and all(ch in NUMERALS for ch in text):
        return _chinese(text)
    return None


def _chinese(text: str) -> int:
    """一 -> 1, 十一 -> 11, 二十 -> 20 (the small numbers plans write)."""
    if text.startswith("十"):
        return 10 + (NUMERALS[text[1]] if len(text) > 1 else 0)
    if len(text) >= 2 and text[1] == "十":
        return NUMERALS[text[0]] * 10 + (NUMERALS[text[2]] if len(text) > 2 else 0)
    return NUMERALS[text[0]]


def _numeral(n: int) -> str:
    if n <= 10:
        return CN[n]
    return ("" if n < 20 else CN[n // 10]) + "十" + (CN[n % 10] if n % 10 else "")


def _table(document):
    """The score table: the first table whose header row names a content and a maximum column."""
    for table in document.tables:
        for r, row in enumerate(table.rows[:3]):
            kinds = [_kind_of(cell.text) for cell in row.cells]
            if "maximum" in kinds and "content" in kinds:
                return table, r, kinds
    return None, 0, []


def _title_before(document, table) -> str:
    """The last non-empty paragraph before the table that names a 评分表/考核表 (its title)."""
    body = document.element.body
    title = ""
    for child in body.iterchildren():
        if child is table._tbl:
            break
        if child.tag.endswith("}p"):
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).strip()
            if text and re.search(r"(评分|考核|评价|评定)[^，。]*表", text):
                title = re.sub(r"^附件[0-9一二三]*[:：]\s*", "", text).strip("《》 ")
    return title


def read_plan(path: Path) -> tuple[object, list[str]]:
    """(a Draft of the rubric workbook, the lines for the clerk about what to check)."""
    import docx

    document = docx.Document(str(path))
    table, header, kinds = _table(document)
    if table is None:
        raise ValueError("方案中没有找到含“分值”和“评选内容/考核内容”列的评分表")
    marks: list[str] = []
    title = _title_before(document, table) or path.stem
    year_found = re.search(r"(20[0-9]{2})", title) or re.search(r"(20[0-9]{2})年", _text(document))
    year = int(year_found.group(1)) if year_found else 2000
    categories: list[dict] = []
    items: list[dict] = []
    stated: dict[str, Decimal] = {}
    grand: Decimal | None = None
    content_cols = [i for i, k in enumerate(kinds) if k == "content"]
    max_col = kinds.index("maximum")
    cat_col = kinds.index("category") if "category" in kinds else None
    num_col = kinds.index("number") if "number" in kinds else None
    for row in table.rows[header + 1 :]:
        cells = row.cells
        category = cells[cat_col].text.strip() if cat_col is not None else ""
        number_text = cells[num_col].text.strip() if num_col is not None else ""
        parts = _distinct([cells[i] for i in content_cols])
        texts = [p.text.strip() for p in parts]
        maximum_text = cells[max_col].text.strip()
        joined = text_key("".join(texts))
        total_row = (
            _TOTAL_ROW.match(joined)
            or _TOTAL_ROW.match(text_key(category))
            or (not any(texts) and maximum_text)
        )
        if total_row:
            value = _number(maximum_text)
            subtotal = joined.startswith("小计") and category and not _TOTAL_ROW.match(text_key(category))
            if value is not None and subtotal:
                stated[category] = value
            elif value is not None:
                grand = value
            continue
        if not any(texts):
            continue
        if category and (not categories or categories[-1][C.R_CATEGORY] != category):
            number = _integer(number_text) or len(categories) + 1
            categories.append({C.R_NUMBER: number, C.R_NUMERAL: _numeral(number), C.R_CATEGORY: category})
        if not categories:
            categories.append(
                {
                    C.R_NUMBER: 1,
                    C.R_NUMERAL: "一",
                    C.R_CATEGORY: "（未分类）",
                    C.R_CHECK: "表中没有类别列，请填写类别",
                }
            )
        current = categories[-1]
        count = sum(1 for i in items if i[C.R_CATEGORY] == current[C.R_CATEGORY]) + 1
        code = f"{current[C.R_NUMBER]}.{count}"
        criteria = texts[-1]
        names = texts[:-1]
        row_marks = []
        name, group = (names[-1], names[0] if len(names) > 1 else "") if names else ("", "")
        if not name:
            row_marks.append("项目名称与评分标准在同一单元格，请把项目名称填在“项目”栏")
            name = criteria[:12]
        maximum = _number(maximum_text)
        if maximum is None:
            row_marks.append(f"分值“{maximum_text or '空'}”未能识别，请填写")
        item = {
            C.R_CATEGORY: current[C.R_CATEGORY],
            C.R_CODE: code,
            C.R_NAME: name,
            C.R_GROUP: group,
            C.R_CRITERIA: criteria,
            C.R_MAXIMUM: maximum,
            C.R_KIND: "评分",
        }
        row_marks += _kind(item, criteria, maximum)
        if row_marks:
            item[C.R_CHECK] = "；".join(row_marks)
            marks.append(f"{C.RUBRIC_SHEET} 项目{code}（{name}）：{item[C.R_CHECK]}")
        items.append(item)
    for category in categories:
        total = sum(
            (i[C.R_MAXIMUM] or Decimal(0) for i in items if i[C.R_CATEGORY] == category[C.R_CATEGORY]),
            Decimal(0),
        )
        declared = stated.get(category[C.R_CATEGORY])
        category[C.R_MAXIMUM] = declared if declared is not None else total
        if declared is not None and declared != total:
            note = f"表中小计为{declared}分，各项目分值之和为{total}分，请核对"
            category[C.R_CHECK] = note
            marks.append(f"{C.RUBRIC_CATEGORIES_SHEET} {category[C.R_CATEGORY]}：{note}")
    total = sum((i[C.R_MAXIMUM] or Decimal(0) for i in items), Decimal(0))
    head_total = grand if grand is not None else total
    if grand is not None and grand != total:
        marks.append(f"{C.RUBRIC_SHEET} 总分：表中总分为{grand}分，各项目分值之和为{total}分，请核对")
    head = {
        C.R_TITLE: title,
        C.R_YEAR: year,
        C.R_VERSION: f"{year}.1",
        C.R_RESOLUTION: Decimal("0.1"),
        C.R_TOTAL: head_total,
    }
    marks.append(f"{C.RUBRIC_SHEET} 最小单位：方案没有写得分的最小单位，暂按0.1分，请核对")
    grades, grade_marks = _grades(_text(document))
    marks += grade_marks
    return Draft(head, items, categories, grades, []), marks


def _distinct(cells):
    """Cells in order, each merged cell once (Word repeats it in every column it spans)."""
    seen, out = set(), []
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


_RANKED = re.compile(r"排名|名次")
_FIRST = re.compile(r"第一名([0-9.]+)分")
_SECOND = re.compile(r"第二名([0-9.]+)分")
_STEP = re.compile(r"(?:每名|依次)?递减([0-9.]+)分?")
_FLOOR = re.compile(r"(?:以后|之后|其余)[^0-9，。；]*?均?得([0-9.]+)分|最低(?:得)?([0-9.]+)分")
_AWARD = re.compile(r"得([0-9.]+)分")


def _kind(item: dict, criteria: str, maximum: Decimal | None) -> list[str]:
    """Set the item's scoring kind from its criteria; the marks for what is uncertain."""
    if _RANKED.search(criteria) and ("递减" in criteria or "依次" in criteria):
        item[C.R_KIND] = "按排名计算"
        first = _FIRST.search(criteria)
        second = _SECOND.search(criteria)
        step = _STEP.search(criteria)
        floor = _FLOOR.search(criteria)
        item[C.R_FIRST] = Decimal(first.group(1)) if first else None
        if step:
            item[C.R_STEP] = Decimal(step.group(1))
        elif first and second:
            item[C.R_STEP] = Decimal(first.group(1)) - Decimal(second.group(1))
        if floor:
            item[C.R_FLOOR] = Decimal(floor.group(1) or floor.group(2))
        missing = [t for t in (C.R_FIRST, C.R_STEP, C.R_FLOOR) if item.get(t) is None]
        text = "按排名计算的项目，请核对排名第一得分、每名递减和保底得分"
        return [text + (f"（未能读出{'、'.join(missing)}）" if missing else "")]
    award = _AWARD.findall(criteria)
    if award and "扣" not in criteria and maximum is not None:
        if all(Decimal(a) == maximum for a in award):
            item[C.R_KIND] = "加分"
            return []
        return ["评分标准写“得…分”但与分值不同，请确定是加分项还是评分项"]
    if award and "扣" in criteria and maximum is not None and any(Decimal(a) == maximum for a in award):
        return ["评分标准既有“得…分”又有扣分，请确定计分方式"]
    return []


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


_GRADE = re.compile(r"([一二三四五]等|[一二三四五]星级?|优秀|良好|合格|达标)[：:]")
_TOP = re.compile(r"前([一二两三四五六七八九十0-9]+)名")
_RANGE = re.compile(r"第([一二三四五六七八九十0-9]+)名?(?:至|到|-|—)第?([一二三四五六七八九十0-9]+)名")
_AT_LEAST = re.compile(r"([0-9]+(?:\.[0-9]+)?)分(?:\(含\)|（含）)?(?:以上|及以上)")
_BONUS = re.compile(r"((?:[一二三四五]等、?)+)[^。]*?加((?:[0-9.]+分、?)+)")


def _grades(text: str) -> tuple[list[dict], list[str]]:
    """Grades from the plan's wording (一等：…排名在前两名…；二等：…第三名至第六名…), every row
    marked for review: prose is read with less certainty than a table."""
    grades, found = [], list(_GRADE.finditer(text))
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else min(len(text), match.end() + 200)
        clause = text[match.end() : end]
        row = {C.G_NAME: match.group(1)}
        top, span, least = _TOP.search(clause), _RANGE.search(clause), _AT_LEAST.search(clause)
        if top:
            row[C.G_FROM], row[C.G_TO] = 1, _integer(top.group(1))
        elif span:
            row[C.G_FROM], row[C.G_TO] = _integer(span.group(1)), _integer(span.group(2))
        if least:
            row[C.G_MIN_TOTAL] = Decimal(least.group(1))
        if len(row) > 1 and row[C.G_NAME] not in (g[C.G_NAME] for g in grades):
            grades.append(row)
    bonus = _BONUS.search(text)
    if bonus:
        names = re.findall(r"[一二三四五]等", bonus.group(1))
        points = re.findall(r"([0-9.]+)分", bonus.group(2))
        for name, point in zip(names, points, strict=False):
            for row in grades:
                if row[C.G_NAME] == name:
                    row[C.G_BONUS] = Decimal(point)
    if not grades:
        return [{C.G_NAME: "", C.R_CHECK: "未能从方案中读出等级规则"}], [
            f"{C.RUBRIC_GRADES_SHEET}：未能从方案中读出等级规则，请按方案填写"
        ]
    for row in grades:
        row[C.R_CHECK] = "从方案正文读出，请核对名次、分数线和加分"
    names = "、".join(g[C.G_NAME] for g in grades)
    return grades, [f"{C.RUBRIC_GRADES_SHEET}：从方案正文读出{names}的规则，请核对名次、分数线和加分"]
