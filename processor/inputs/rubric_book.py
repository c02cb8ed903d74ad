"""The clerk's rubric workbook (rubric.xlsx, written by ``processor rubric``) -> a Rubric, or every
mistake in it as a problem at its cell: a value that is not a number, an unknown category or
scoring kind, a ranking item without its points, duplicate codes, maxima off the grid, category
totals that do not add up, grades without conditions — all at once, before any sheet is read."""

from __future__ import annotations

from decimal import Decimal

from .. import constants as C
from ..problems import Code, Problem, problem
from ..rules.grading import Grade, Grading, Requirement
from ..rules.panel import ROUNDINGS, RULES, PanelRule
from ..rules.rubric import Category, Item, Ranking, Rubric, aliases_of, check_rubric, fingerprint
from ..xlsx import Cell, Sheet, Workbook, a1
from .names import text_key
from .tables import find_table, open_table
from .values import OK, read_number, read_text

BOOK = "评分标准工作簿"
HEAD_ROWS = 10


class _Reader:
    def __init__(self, wb: Workbook, file: str):
        self.wb, self.file = wb, file
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[str, str]] = {}  # where-key of a fault -> (sheet, cell)

    def fault(self, sheet: str, cell: str, detail: str) -> None:
        self.problems.append(
            problem(Code.RUBRIC_INVALID, file=self.file, sheet=sheet, cell=cell, detail=detail)
        )

    def number(
        self, cell: Cell | None, sheet: str, at: str, what: str, blank_ok: bool = False
    ) -> Decimal | None:
        reading = read_number(cell, date1904=self.wb.date1904)
        if reading.status == OK:
            return reading.number
        if blank_ok and not reading.shown:
            return None
        self.fault(sheet, at, f"{what}“{reading.shown or '空'}”不是数字")
        return None

    def whole(self, cell: Cell | None, sheet: str, at: str, what: str, blank_ok: bool = False) -> int | None:
        number = self.number(cell, sheet, at, what, blank_ok)
        if number is None:
            return None
        if number != number.to_integral_value() or number.adjusted() > 9:
            self.fault(sheet, at, f"{what}“{number}”应为整数")
            return None
        return int(number)

    def table(self, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        table = find_table(self.wb, name, required, optional)
        if table is None or table.sheet.name != name:
            found = "、".join(self.wb.sheet_names) or "无"
            self.problems.append(problem(Code.SHEET_MISSING, file=self.file, expected=name, found=found))
            return None
        return table

    def unchecked(self, values: dict[str, Cell | None], sheet: str, row: int, col: int | None) -> None:
        mark = read_text(values.get(C.R_CHECK)) if col is not None else ""
        if mark:
            self.problems.append(
                problem(Code.RUBRIC_UNCHECKED, file=self.file, sheet=sheet, cell=a1(row, col), value=mark)
            )

    def requirement(
        self, values, sheet: str, row: int, cols: dict[str, int], what: str
    ) -> Requirement | None:
        if C.R_REQUIRED not in cols:
            return None
        at = a1(row, cols[C.R_REQUIRED])
        minimum = self.number(values.get(C.R_REQUIRED), sheet, at, f"{what}的必达分", blank_ok=True)
        cap = read_text(values.get(C.R_CAP)) if C.R_CAP in cols else ""
        if minimum is None:
            if cap:
                self.fault(sheet, a1(row, cols[C.R_CAP]), f"{what}写了未达必达分时的最高等级，但没有必达分")
            return None
        return Requirement(minimum, cap or C.NO_GRADE)

    def head(self, sheet: Sheet) -> dict[str, tuple[Cell | None, str]]:
        found = {}
        for (row, col), cell in sorted(sheet.cells.items()):
            if row <= HEAD_ROWS and cell.kind == "s" and text_key(cell.text) in {text_key(x) for x in _HEAD}:
                label = next(x for x in _HEAD if text_key(x) == text_key(cell.text))
                found.setdefault(label, (sheet.get(row, col + 1), a1(row, col + 1)))
        for label in _HEAD:
            if label not in found:
                self.fault(sheet.name, "", f"找不到“{label}”一行（应在工作表上方，标签右侧填写）")
        return found


_HEAD = (C.R_TITLE, C.R_YEAR, C.R_VERSION, C.R_RESOLUTION, C.R_TOTAL)


def read_rubric_book(data: bytes, file: str) -> tuple[Rubric | None, list[Problem]]:
    wb, problems = open_table(data, file, BOOK)
    if wb is None:
        return None, problems
    r = _Reader(wb, file)
    categories = _categories(r)
    items = _items(r, categories)
    grading = _grading(r)
    panel = _panel(r)
    sheet = wb.sheets.get(C.RUBRIC_SHEET)
    head = r.head(sheet) if sheet is not None else {}
    if categories is None or items is None or grading is None or panel is None or len(head) < len(_HEAD):
        return None, r.problems
    s = C.RUBRIC_SHEET
    title = read_text(head[C.R_TITLE][0])
    version = read_text(head[C.R_VERSION][0])
    year = r.whole(head[C.R_YEAR][0], s, head[C.R_YEAR][1], "年度")
    resolution = r.number(head[C.R_RESOLUTION][0], s, head[C.R_RESOLUTION][1], "最小单位")
    total = r.number(head[C.R_TOTAL][0], s, head[C.R_TOTAL][1], "总分")
    for label, value in ((C.R_TITLE, title), (C.R_VERSION, version)):
        if not value:
            r.fault(s, head[label][1], f"没有填写{label}")
    if year is None or resolution is None or total is None:
        return None, r.problems
    rows_unread = bool(r.problems)  # some rows could not be read: their totals would mislead
    cats = tuple(category for category, _ in categories.values())
    rubric = Rubric(
        title=title,
        version=version,
        year=year,
        resolution=resolution,
        total=total,
        categories=cats,
        items=items,
        fingerprint=fingerprint(cats, items),
        grading=grading,
        aliases=aliases_of(cats, items),
        panel=panel,
    )
    r.anchors.update(
        {"rubric:total": (s, head[C.R_TOTAL][1]), "rubric:resolution": (s, head[C.R_RESOLUTION][1])}
    )
    for where, detail in check_rubric(rubric):
        if rows_unread and (where == "rubric:total" or ("合计" in detail and where.startswith("category:"))):
            continue
        sheet_name, cell = r.anchors.get(where) or r.anchors.get(
            where.partition(":")[0] if where.startswith("item#") else where, (s, "")
        )
        r.fault(sheet_name, cell, detail)
    return (None if r.problems else rubric), r.problems


def _categories(r: _Reader) -> dict[str, tuple[Category, int]] | None:
    """Category name key -> (category, its row)."""
    s = C.RUBRIC_CATEGORIES_SHEET
    table = r.table(
        s, (C.R_NUMBER, C.R_CATEGORY, C.R_MAXIMUM), (C.R_NUMERAL, C.R_REQUIRED, C.R_CAP, C.R_CHECK)
    )
    if table is None:
        return None
    cols = table.columns
    found: dict[str, tuple[Category, int]] = {}
    for row, values in table.rows():
        r.unchecked(values, s, row, cols.get(C.R_CHECK))
        number = r.whole(values[C.R_NUMBER], s, a1(row, cols[C.R_NUMBER]), "类别序号")
        name = read_text(values[C.R_CATEGORY])
        total = r.number(values[C.R_MAXIMUM], s, a1(row, cols[C.R_MAXIMUM]), f"类别“{name}”的分值")
        if not name:
            r.fault(s, a1(row, cols[C.R_CATEGORY]), "没有填写类别名称")
        required = r.requirement(values, s, row, cols, f"类别“{name}”")
        if number is None or total is None or not name:
            continue
        if text_key(name) in found:
            r.fault(s, a1(row, cols[C.R_CATEGORY]), f"类别“{name}”出现了不止一次")
            continue
        numeral = read_text(values.get(C.R_NUMERAL)) or str(number)
        found[text_key(name)] = (Category(number, numeral, name, total, required), row)
        r.anchors.setdefault(f"category:{number}", (s, a1(row, cols[C.R_NUMBER])))
    return found


def _items(r: _Reader, categories) -> tuple[Item, ...] | None:
    s = C.RUBRIC_SHEET
    optional = (C.R_GROUP, C.R_FIRST, C.R_STEP, C.R_FLOOR, C.R_REQUIRED, C.R_CAP, C.R_CHECK)
    table = r.table(s, (C.R_CATEGORY, C.R_CODE, C.R_NAME, C.R_CRITERIA, C.R_MAXIMUM, C.R_KIND), optional)
    if table is None:
        return None
    cols = table.columns
    items = []
    for row, values in table.rows():
        r.unchecked(values, s, row, cols.get(C.R_CHECK))
        code = read_text(values[C.R_CODE])
        at = {title: a1(row, col) for title, col in cols.items()}
        what = f"项目{code}"
        if not code:
            r.fault(s, at[C.R_CODE], "没有填写编号")
        category_name = read_text(values[C.R_CATEGORY])
        category = (categories or {}).get(text_key(category_name))
        if category is None and categories is not None:
            r.fault(s, at[C.R_CATEGORY], f"{what}的类别“{category_name or '空'}”不在“类别”工作表中")
        name = read_text(values[C.R_NAME])
        if not name:
            r.fault(s, at[C.R_NAME], f"{what}没有填写项目名称")
        maximum = r.number(values[C.R_MAXIMUM], s, at[C.R_MAXIMUM], f"{what}的分值")
        kind_text = read_text(values[C.R_KIND])
        kind = next((k for n, k in C.KIND_NAMES.items() if text_key(n) == text_key(kind_text)), None)
        if kind is None:
            allowed = "、".join(C.KIND_NAMES)
            r.fault(s, at[C.R_KIND], f"{what}的计分方式“{kind_text or '空'}”应为{allowed}之一")
        ranking = None
        parts = [values.get(t) for t in (C.R_FIRST, C.R_STEP, C.R_FLOOR)]
        if any(read_text(p) for p in parts) or kind == "computed":
            points = [
                r.number(p, s, at.get(t, at[C.R_KIND]), f"{what}的{t}")
                for p, t in zip(parts, (C.R_FIRST, C.R_STEP, C.R_FLOOR), strict=True)
            ]
            ranking = Ranking(*points) if None not in points else None
        required = r.requirement(values, s, row, cols, what)
        if code and category is not None and name and maximum is not None and kind is not None:
            items.append(
                Item(
                    code=code,
                    category=category[0].number,
                    name=name,
                    maximum=maximum,
                    kind=kind,
                    criteria=read_text(values[C.R_CRITERIA]),
                    group=read_text(values.get(C.R_GROUP)),
                    ranking=ranking,
                    required=required,
                )
            )
            n = len(items) - 1
            fields = {"code": C.R_CODE, "category": C.R_CATEGORY, "kind": C.R_KIND, "maximum": C.R_MAXIMUM}
            fields.update({"ranking": C.R_FIRST, "required": C.R_REQUIRED})
            r.anchors[f"item#{n}"] = (s, at[C.R_CODE])
            for field_name, title in fields.items():
                r.anchors[f"item#{n}:{field_name}"] = (s, at.get(title, at[C.R_CODE]))
    return tuple(items)


def _grading(r: _Reader) -> Grading | None:
    s = C.RUBRIC_GRADES_SHEET
    optional = (
        C.G_FROM,
        C.G_TO,
        C.G_MIN_TOTAL,
        C.G_MIN_SHARE,
        C.G_QUOTA,
        C.G_QUOTA_SHARE,
        C.G_BONUS,
        C.R_CHECK,
    )
    table = r.table(s, (C.G_NAME,), optional)
    if table is None:
        return None
    cols = table.columns
    grades = []
    for n, (row, values) in enumerate(table.rows(), start=1):
        r.unchecked(values, s, row, cols.get(C.R_CHECK))
        name = read_text(values[C.G_NAME])
        at = {title: a1(row, col) for title, col in cols.items()}
        what = f"等级“{name}”"

        def get(title: str, whole: bool = False, values=values, at=at, what=what):
            if title not in cols:
                return None
            read = r.whole if whole else r.number
            return read(values[title], s, at[title], f"{what}的{title}", blank_ok=True)

        first, last = get(C.G_FROM, True), get(C.G_TO, True)
        if (first is None) != (last is None):
            r.fault(s, at.get(C.G_FROM, at[C.G_NAME]), f"{what}的名次起止要同时填写")
        grades.append(
            Grade(
                name=name,
                bonus=get(C.G_BONUS) or Decimal(0),
                ranks=(first, last) if first is not None and last is not None else None,
                min_total=get(C.G_MIN_TOTAL),
                min_share=get(C.G_MIN_SHARE),
                quota=get(C.G_QUOTA, True),
                quota_share=get(C.G_QUOTA_SHARE),
            )
        )
        r.anchors.setdefault(f"grade:{n}", (s, at[C.G_NAME]))
    r.anchors["grades"] = (s, "A1")
    vetoes: list[str] = []
    table = find_table(r.wb, C.RUBRIC_VETOES_SHEET, (C.V_MATTER,))
    if table is not None and table.sheet.name == C.RUBRIC_VETOES_SHEET:
        vetoes = [read_text(values[C.V_MATTER]) for _, values in table.rows()]
        r.anchors["vetoes"] = (C.RUBRIC_VETOES_SHEET, "A1")
    return Grading(tuple(grades), tuple(v for v in vetoes if v))


def _panel(r: _Reader) -> PanelRule | None:
    """The 合议 sheet (absent in workbooks of earlier versions: one sheet per township)."""
    s = C.RUBRIC_PANEL_SHEET
    table = find_table(r.wb, s, ("项目", "设置"))
    if table is None or table.sheet.name != s:
        return PanelRule()
    found = {}
    for row, values in table.rows():
        label = next((k for k in _PANEL if text_key(k) == text_key(read_text(values["项目"]))), None)
        at = a1(row, table.columns["设置"])
        r.anchors[f"panel:{_PANEL.get(label, '')}"] = (s, at)
        if label is not None:
            found[label] = (values["设置"], at)
    default = PanelRule()

    def number(label: str, whole: bool = False):
        if label not in found:
            return None
        cell, at = found[label]
        return (r.whole if whole else r.number)(cell, s, at, label, blank_ok=True)

    rule_text = read_text(found[C.P_RULE][0]) if C.P_RULE in found else RULES[default.rule]
    rule = next((k for k, name in RULES.items() if text_key(name) == text_key(rule_text)), None)
    if rule is None:
        r.fault(
            s, found.get(C.P_RULE, (None, ""))[1], f"合并方式“{rule_text}”应为{'、'.join(RULES.values())}之一"
        )
    rounding_text = (
        read_text(found[C.P_ROUNDING][0]) if C.P_ROUNDING in found else ROUNDINGS[default.rounding][0]
    )
    rounding = next(
        (k for k, (name, _) in ROUNDINGS.items() if text_key(name) == text_key(rounding_text)), None
    )
    if rounding is None:
        names = "、".join(name for name, _ in ROUNDINGS.values())
        r.fault(s, found.get(C.P_ROUNDING, (None, ""))[1], f"舍入方式“{rounding_text}”应为{names}之一")
    trim = number(C.P_TRIM, whole=True)
    margin = number(C.P_MARGIN) if C.P_MARGIN in found else default.margin
    return PanelRule(
        rule=rule or default.rule,
        trim_above=trim if trim is not None else default.trim_above,
        min_evaluators=number(C.P_MIN, whole=True),
        rounding=rounding or default.rounding,
        margin=margin,
        margin_share=number(C.P_MARGIN_SHARE),
    )


_PANEL = {
    C.P_RULE: "rule",
    C.P_TRIM: "trim_above",
    C.P_MIN: "min_evaluators",
    C.P_ROUNDING: "rounding",
    C.P_MARGIN: "margin",
    C.P_MARGIN_SHARE: "margin_share",
}
