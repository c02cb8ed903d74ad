"""The register's commands, behind the CLI as ``batch`` is behind run and check:

- ``adjust``: the leading group's decisions after publication (等级调整记录表), checked against
  the register, recorded there, and each announced by its own short notice (关于…等级调整的通报)
  in ``<output>/等级调整/``; the round's own notice and results stay as they were;
- ``regenerate``: a registered round run again from its archived inputs, and its notice and
  workbook compared byte for byte with the hashes recorded when it was published;
- ``report``: what the register holds, as it stands on a day (``register.view``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import constants as C
from .batch import UsageError, run
from .inputs.adjustments import Adjustment, read_adjustments
from .inputs.names import Matcher
from .outputs import registering
from .outputs.adjustment import adjustment_title, render_adjustment
from .outputs.filenames import safe_file_name
from .outputs.pdf import make_pdf
from .outputs.publish import Staging, staging
from .outputs.register_book import refresh_book
from .outputs.wording import score_text
from .problems import Code, Problem, has_errors, problem
from .register import db, decisions, rounds
from .register.view import UNGRADED, Entry, RegisterView, read_view
from .rules.settings import Settings, load_settings
from .xlsx import ReadError, read_bytes


@dataclass
class Adjusted:
    problems: list[Problem] = field(default_factory=list)  # the table's, and the register's view of it
    made: list[decisions.Decision] = field(default_factory=list)  # recorded by this run
    written: list[Path] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def report(register: Path, day: dt.date | None = None) -> tuple[RegisterView, Problem | None]:
    """The register as it stands on ``day`` (today), its workbook rewritten to match; the note
    when the workbook could not be (open in Excel): the view is still the register's."""
    day = day or dt.date.today()
    return read_view(register, day), refresh_book(register, day)


def adjust(
    table: Path, register: Path, output: Path, pdf: bool = True, today: dt.date | None = None
) -> Adjusted:
    """Check every decision of ``table`` against the register; when none has an error, record
    the new ones (one transaction per round, each checked again under the register's lock) and
    rewrite the notices of every recorded decision. Notices that cannot be written (a PDF open,
    a disk full) are written by the next ``adjust``, which rewrites them all from the register."""
    outcome = Adjusted()
    registering.register_place(register, output)
    if not table.is_file():
        raise UsageError(f"找不到等级调整记录表 {table}")
    try:
        found, outcome.problems = read_adjustments(read_bytes(table), table.name)
    except ReadError as exc:
        outcome.problems = [exc.problem(table.name)]
        return outcome
    view = read_view(register, today or dt.date.today())
    requests = _checked(found, view, outcome)
    if not outcome.ok:
        return outcome
    with staging(output) as stage:  # the output folder is ours before the register is written
        for key in sorted({key for key, _ in requests}):
            settings = round_settings(register, _record(view, key))
            wanted = [request for k, request in requests if k == key]
            outcome.made += decisions.apply(register, key, wanted, bonus_changes=settings.bonus_changes)
        outcome.written = write_notices(register, stage, pdf, outcome.notes)
    note = refresh_book(register, today or dt.date.today())
    if note is not None:
        outcome.notes.append(note)
    return outcome


def _record(view: RegisterView, key: str) -> rounds.RoundRecord:
    return [r for r in view.rounds if r.round_key == key][-1]


def _checked(
    found: list[Adjustment], view: RegisterView, outcome: Adjusted
) -> list[tuple[str, decisions.Request]]:
    """Each decision as the register will record it, or its problems (at its cells)."""
    matcher = Matcher(sorted({e.township for e in view.entries}))
    recorded = {(d.round_key, d.township, d.decided_on, d.document_number) for d in view.decisions}
    seen: dict[tuple, int] = {}
    grades: dict[tuple[str, str], str] = {}  # (round, township) -> grade after this table's earlier rows
    requests = []
    for a in sorted(found, key=lambda a: (a.decided_on, a.row)):
        where = dict(file=a.file, sheet=a.sheet)
        township, _ = matcher.match(a.township)
        entry = _entry(view, township, a) if township else None
        if entry is None:
            year = f"{a.year}年" if a.year else ""
            cell = a.cell(C.COL_A_YEAR) if a.year else a.cell(C.COL_A_TOWNSHIP)
            outcome.problems.append(
                problem(Code.ADJUST_NO_ROUND, cell=cell, value=a.township, year=year, **where)
            )
            continue
        record, key = entry.round, entry.round.round_key
        same = (key, township, a.decided_on, a.document_number)
        if same in seen:
            outcome.problems.append(
                problem(Code.ADJUST_DUPLICATE, cell=a.cell(C.COL_A_TOWNSHIP), other=seen[same], **where)
            )
            continue
        seen[same] = a.row
        if same in recorded:
            outcome.notes.append(
                problem(Code.ADJUST_RECORDED, value=township, day=a.decided_on.isoformat(),
                        document=a.document_number, cell=a.cell(C.COL_A_TOWNSHIP), **where)
            )  # fmt: skip
            continue
        day, at = a.decided_on.isoformat(), a.cell(C.COL_A_DATE)
        label = f"{record.year}年"
        if a.decided_on < record.publication_date:
            outcome.problems.append(
                problem(Code.ADJUST_BEFORE_PUBLICATION, cell=at, value=day, round=label,
                        published=record.publication_date.isoformat(), **where)
            )  # fmt: skip
            continue
        if a.decided_on > view.day:
            outcome.problems.append(
                problem(Code.ADJUST_IN_FUTURE, cell=at, value=day, today=view.day.isoformat(), **where)
            )
            continue
        if a.decided_on > record.expires_on:
            outcome.problems.append(
                problem(Code.ADJUST_AFTER_EXPIRY, cell=at, value=day, round=label,
                        expires=record.expires_on.isoformat(), **where)
            )  # fmt: skip
            continue
        last = entry.decisions[-1].decided_on if entry.decisions else None
        if last is not None and a.decided_on < last:
            outcome.problems.append(
                problem(Code.ADJUST_OUT_OF_ORDER, cell=at, value=day, last=last.isoformat(), **where)
            )
            continue
        grade = grades.get((key, township), entry.grade_on(dt.date.max))
        if grade == C.NO_GRADE:
            outcome.problems.append(
                problem(Code.ADJUST_NO_GRADE, cell=a.cell(C.COL_A_ACTION), value=township, day=day,
                        grade=grade, action=a.action, **where)
            )  # fmt: skip
            continue
        grades[(key, township)] = C.NO_GRADE if a.cancel else _lower(view, key, grade, a.steps)
        sources = round_sources(view, key)
        if sources and a.source not in sources:
            outcome.problems.append(
                problem(Code.ADJUST_SOURCE_NOT_LISTED, cell=a.cell(C.COL_A_SOURCE), value=a.source,
                        allowed="、".join(sources), **where)
            )  # fmt: skip
        requests.append(
            (key, decisions.Request(township, a.decided_on, a.source, a.reason, a.action, a.steps, a.cancel,
                                    a.document_number))
        )  # fmt: skip
    return requests


def _entry(view: RegisterView, township: str, a: Adjustment) -> Entry | None:
    """The round a decision is about: the one of its year, else the newest published by its date."""
    own = [e for e in view.entries if e.township == township]
    if a.year is not None:
        own = [e for e in own if e.round.year == a.year]
    else:
        own = [e for e in own if e.round.publication_date <= a.decided_on] or own
    return own[0] if own else None  # entries are newest first


def _lower(view: RegisterView, key: str, grade: str, steps: int) -> str:
    with db.opened(view.path, create=False) as connection:
        grading = rounds.grading_of(connection, _record(view, key))
    return grading.lower(grade, steps)


def round_settings(register: Path, record: rounds.RoundRecord) -> Settings:
    """The settings the round was published with: its archived settings.toml over the packaged
    defaults (what issues its decisions' notices, and whether their bonus follows)."""
    with db.opened(register, create=False) as connection:
        files = rounds.archived_files(connection, record.id)
    data = next((d for n, d in files if n == C.SETTINGS_FILE), None)
    if data is None:
        settings, _ = load_settings()
        return settings
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / C.SETTINGS_FILE
        path.write_bytes(data)
        settings, problems = load_settings(path)
    if settings is None:  # it was valid when the round was published: this program differs
        raise db.RegisterError(f"{record.round_key}登记的设置文件无法用本版本程序读取：{problems[0].message}")
    return settings


def round_sources(view: RegisterView, key: str) -> tuple[str, ...]:
    return round_settings(view.path, _record(view, key)).sources


def write_notices(register: Path, stage: Staging, pdf: bool, notes: list[Problem]) -> list[Path]:
    """Every recorded decision's notice, from the register, into the output folder's ``等级调整/``
    (``stage``: switched in as a whole, as a published result is): the folder always matches
    the register."""
    view = read_view(register, dt.date.today())
    folder = stage.folder_path(C.ADJUSTMENTS_DIR)
    taken = set()
    with stage.writing():
        for d in view.decisions:
            record = _record(view, d.round_key)
            settings = round_settings(register, record)
            entry = next(
                (e for e in view.entries if e.round.round_key == d.round_key and e.township == d.township),
                None,
            )
            published = entry.published if entry is not None else d.grade_before
            stem = safe_file_name(
                f"{d.decided_on.isoformat()}{''.join(adjustment_title(d.township))}", ".html"
            )
            name, n = stem, 1
            while name.casefold() in taken:
                n += 1
                name = f"{stem}-{n}"
            taken.add(name.casefold())
            html = folder / f"{name}.html"
            html.write_text(render_adjustment(settings, record, d, published), encoding="utf-8")
            if pdf:
                note = make_pdf(html, html.with_suffix(".pdf"), d.decided_on, True)
                if note is not None and note.code is Code.PDF_NOT_MADE:
                    notes.append(note)
    published = stage.commit((C.ADJUSTMENTS_DIR,), folders={C.ADJUSTMENTS_DIR: _notice_file})
    return sorted(p for path in published for p in path.iterdir())


def _notice_file(path: PurePosixPath) -> bool:
    return len(path.parts) == 1 and path.suffix in (".html", ".pdf")


@dataclass(frozen=True)
class Regenerated:
    record: rounds.RoundRecord
    notice_same: bool
    workbook_same: bool
    program_version: str  # of the program that published it
    output: Path | None  # where the regenerated result was published, if asked
    problems: list[Problem]

    @property
    def same(self) -> bool:
        return self.notice_same and self.workbook_same


def regenerate(
    register: Path,
    which: str,
    version: int | None = None,
    output: Path | None = None,
    source: Path | None = None,
) -> Regenerated:
    """Run the round ``which`` (its year, or 县/年度) again from the register's archive and
    compare its notice and workbook with the hashes recorded at publication."""
    with db.opened(register, create=False) as connection:
        records = [r for r in rounds.all_rounds(connection) if which in (r.round_key, str(r.year))]
        if version is not None:
            records = [r for r in records if r.version == version]
        if not records:
            raise UsageError(f"登记簿中没有“{which}”{f'第{version}版' if version else ''}的发布记录")
        keys = {r.round_key for r in records}
        if len(keys) > 1:
            raise UsageError(
                f"“{which}”对应多轮评定（{'、'.join(sorted(keys))}），请写明县名，如 {sorted(keys)[0]}"
            )
        record = records[-1]
        (made_by,) = connection.execute(
            "SELECT program_version FROM rounds WHERE id = ?", (record.id,)
        ).fetchone()
    with tempfile.TemporaryDirectory(prefix="processor-regenerate-") as work:
        inputs = Path(work) / "input"
        rounds.restore(register, record, inputs, source)
        target = output or Path(work) / "output"
        outcome = run(inputs, target, pdf=False)
        results = target / C.RESULTS_DIR
        same = [
            outcome.published and _sha256(results / name) == expected
            for name, expected in (
                (C.NOTICE_FILE, record.notice_sha256),
                (C.CONSOLIDATED_FILE, record.workbook_sha256),
            )
        ]
    return Regenerated(record, same[0], same[1], made_by, output, outcome.round.problems)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def describe(view: RegisterView) -> list[str]:
    """The register in lines for the console: each township's grade on the day, what expires
    soon, and (with several rounds) each township from one round to the next."""
    lines = [
        f"登记簿 {view.path}：{len(view.rounds)}个发布版本，{len(view.decisions)}项等级调整。",
        f"{view.day.isoformat()}各乡镇的等级：",
    ]
    for c in view.current:
        r = c.entry.round
        facts = [c.status, f"{r.year}年评定为{c.entry.published}"]
        if c.status != UNGRADED:
            facts.append(f"有效期至{r.expires_on.isoformat()}")
        facts += [
            f"{d.decided_on.isoformat()}{d.action}（{d.document_number}）"
            for d in c.entry.decisions
            if d.decided_on <= view.day
        ]
        lines.append(f"  {c.township}：{c.holds}（{'；'.join(facts)}）")
    soon = [c for c in view.current if c.expiring]
    if soon:
        lines.append(
            f"{C.EXPIRING_DAYS}天内到期："
            + "、".join(f"{c.township}（{c.entry.round.expires_on.isoformat()}）" for c in soon)
        )
    if len(view.years) > 1:
        lines.append("逐轮比较：")
        for change in view.changes:
            a, b = change.before, change.after
            lines.append(
                f"  {change.township}：{a.round.year}年{a.published}（{score_text(a.total)}分，第{a.rank}名）→ "
                f"{b.round.year}年{b.published}（{score_text(b.total)}分，第{b.rank}名），{change.direction}"
            )
    return lines
