"""The register (processor/register): a published round recorded once with its inputs, results
and notice hashes; the same round again with other inputs refused unless it is a correction,
which keeps the old version; decisions after publication; schema migrations; a damaged or newer
register refused and never written; every write all-or-nothing at every step; two writers at once
serialised."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT

from processor.batch import run
from processor.register import db, decisions, rounds

EXAMPLE = ROOT / "input"


@pytest.fixture
def published(tmp_path):
    """The example round, run (no register) and its outcome, as the register receives it."""
    folder = tmp_path / "input"
    shutil.copytree(EXAMPLE, folder)
    outcome = run(folder, tmp_path / "output", pdf=False)
    assert outcome.published
    return folder, outcome


def record(folder, outcome, register, **kwargs):
    return rounds.record(register, outcome.round, outcome.results, folder, "n" * 64, "w" * 64, **kwargs)


def check(register, outcome, correction=None, outputs=("n" * 64, "w" * 64)):
    return rounds.check(register, outcome.round, correction, *outputs)


def test_a_round_is_recorded_once_with_its_files_and_results(published, tmp_path):
    folder, outcome = published
    register = tmp_path / "register"
    first = record(folder, outcome, register, now=dt.datetime(2022, 8, 31, 9))
    again = record(folder, outcome, register, now=dt.datetime(2022, 9, 1, 9))
    assert first == again and first.version == 1 and first.round_key == "XX县/2022"
    with db.opened(register) as connection:
        files = dict(rounds.archived_files(connection, first.id))
        results = rounds.round_results(connection, first.id)
    assert set(files) == {f.name for f in outcome.round.files}
    for name, data in files.items():
        assert data == (folder / name).read_bytes(), name
    assert [(r["township"], r["final"]) for r in results] == [
        (r.township, r.final) for r in outcome.results.townships
    ]
    assert first.expires_on == dt.date(2025, 8, 31)


def test_other_inputs_are_refused_unless_a_correction_which_keeps_the_old_version(published, tmp_path):
    folder, outcome = published
    register = tmp_path / "register"
    record(folder, outcome, register)
    assert check(register, outcome) == []  # the same inputs: nothing to say
    (folder / "settings.toml").write_text(
        '[county]\ndocument_number = "X行服〔2022〕19号"\n[round]\npublication_date = 2022-08-31\n',
        encoding="utf-8",
    )
    changed = run(folder, tmp_path / "output2", pdf=False)
    (refused,) = check(register, changed)
    assert refused.code.name == "REGISTER_ROUND_PUBLISHED" and refused.is_error
    assert check(register, changed, "文号有误") == []
    corrected = record(folder, changed, register, correction="文号有误")
    assert corrected.version == 2 and corrected.correction_reason == "文号有误"
    with db.opened(register) as connection:
        versions = [(r.version, r.document_number) for r in rounds.all_rounds(connection)]
    assert versions == [(1, "X行服〔2022〕18号"), (2, "X行服〔2022〕19号")]
    (same,) = check(register, changed, "再改一次")
    assert same.code.name == "REGISTER_CORRECTION_SAME"


def test_the_same_inputs_making_other_documents_are_refused_as_such(published, tmp_path):
    """Another program version (or table) made other bytes from the very same files."""
    folder, outcome = published
    register = tmp_path / "register"
    record(folder, outcome, register)
    (refused,) = check(register, outcome, outputs=("n" * 64, "x" * 64))
    assert refused.code.name == "REGISTER_OUTPUTS_DIFFER" and refused.is_error
    assert "X行服〔2022〕18号" in refused.message
    assert check(register, outcome, "按新版程序重新发布", outputs=("n" * 64, "x" * 64)) == []


def test_a_correction_of_a_round_never_published_is_refused(published, tmp_path):
    _, outcome = published
    (refused,) = check(tmp_path / "register", outcome, "理由")
    assert refused.code.name == "REGISTER_NOTHING_TO_CORRECT"


def test_decisions_after_publication_lower_the_grade_from_their_date_and_are_kept(published, tmp_path):
    folder, outcome = published
    register = tmp_path / "register"
    record(folder, outcome, register)
    first = outcome.results.townships[0]
    request = decisions.Request(
        first.township,
        dt.date(2023, 5, 10),
        "市效能办",
        "窗口人员离岗",
        "降低一个等级",
        1,
        False,
        "X行服〔2023〕5号",
    )
    (made,) = decisions.apply(register, "XX县/2022", [request], bonus_changes=False)
    assert (made.grade_before, made.grade_after) == (first.final, "二等")
    assert made.bonus_after == made.bonus_before == first.bonus  # the setting: the bonus stays
    assert decisions.apply(register, "XX县/2022", [request], bonus_changes=False) == []  # recorded once
    cancel = decisions.Request(
        first.township, dt.date(2024, 1, 8), "媒体曝光", "大厅未开门", "取消等级", 0, True, "X行服〔2024〕1号"
    )
    (second,) = decisions.apply(register, "XX县/2022", [cancel], bonus_changes=True)
    assert (second.grade_before, second.grade_after, second.bonus_after) == ("二等", "无等级", Decimal(0))
    with db.opened(register) as connection:
        standing = next(s for s in decisions.standings(connection) if s.township == first.township)
    assert (
        standing.grade == "无等级"
        and standing.published_grade == first.final
        and len(standing.decisions) == 2
    )


def test_a_register_of_schema_1_is_migrated_keeping_its_rounds(published, tmp_path):
    folder, outcome = published
    register = tmp_path / "register"
    register.mkdir()
    old = sqlite3.connect(db.path_in(register))
    old.executescript(db.SCHEMA_1)
    old.execute("INSERT INTO meta VALUES ('product', ?), ('schema_version', '1')", (db.PRODUCT,))
    old.execute(  # a round the first version of the program recorded
        "INSERT INTO rounds (round_key, county, year, version, registered_at, publication_date, document_number, "
        "validity_years, rubric_title, rubric_version, rubric_fingerprint, grades, manifest_sha256, notice_sha256, "
        "workbook_sha256, correction_reason, program_version) VALUES ('XX县/2019', 'XX县', 2019, 1, "
        "'2019-09-01T09:00:00', '2019-09-01', 'X行服〔2019〕7号', 3, '表', '2019.1', 'f', '[[\"一等\", \"5\"]]', "
        "'m', 'n', 'w', NULL, '0.0.9')"
    )
    old.commit()
    old.close()
    recorded = record(folder, outcome, register)
    with db.opened(register) as connection:
        (version,) = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert rounds.latest(connection, "XX县/2022") == recorded
        kept = rounds.latest(connection, "XX县/2019")
        assert (kept.document_number, rounds.unused_entries(connection, kept.id)) == ("X行服〔2019〕7号", [])
    assert int(version) == db.CURRENT and "publicity" in tables


def test_a_migration_killed_half_way_leaves_schema_1(published, tmp_path, monkeypatch):
    register = tmp_path / "register"
    register.mkdir()
    old = sqlite3.connect(db.path_in(register))
    old.executescript(db.SCHEMA_1)
    old.execute("INSERT INTO meta VALUES ('product', ?), ('schema_version', '1')", (db.PRODUCT,))
    old.commit()
    old.close()

    def fail(name):
        if name == "migration 2":
            raise RuntimeError("killed")

    monkeypatch.setattr(db, "step", fail)
    with pytest.raises(RuntimeError), db.opened(register):
        pass
    with sqlite3.connect(db.path_in(register)) as connection:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(rounds)")]
        (version,) = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version == "1" and "unused_entries" not in columns


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(b"not a database at all" * 50), "不是本程序的登记簿"),
        (lambda p: p.write_bytes(db.HEADER + b"\x00" * 200), "损坏"),
        (lambda p: _foreign(p), "不是本程序的登记簿"),
        (lambda p: _newer(p), "更新版本"),
    ],
    ids=["not sqlite", "damaged", "another program's database", "from a newer version"],
)
def test_a_register_that_cannot_be_ours_is_refused_and_left_as_it_is(published, tmp_path, make, says):
    folder, outcome = published
    register = tmp_path / "register"
    register.mkdir()
    make(db.path_in(register))
    before = hashlib.sha256(db.path_in(register).read_bytes()).hexdigest()
    with pytest.raises(db.RegisterError, match=says):
        record(folder, outcome, register)
    assert hashlib.sha256(db.path_in(register).read_bytes()).hexdigest() == before


def _foreign(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.commit()
    connection.close()


def _newer(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(db.SCHEMA_1)
    connection.execute("INSERT INTO meta VALUES ('product', ?), ('schema_version', '99')", (db.PRODUCT,))
    connection.commit()
    connection.close()


KILLER = textwrap.dedent(
    """
    import os, sys, shutil, pathlib
    sys.path.insert(0, {tests!r})
    import processor.batch as batch
    from processor.register import db, rounds
    batch.make_pdf = lambda *a: None
    steps = []
    def step(name):
        steps.append(name)
        if len(steps) == int(sys.argv[1]):
            os._exit(9)
    db.step = step
    folder, register = pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    outcome = batch.run(folder, register.parent / "out", pdf=False)
    rounds.record(register, outcome.round, outcome.results, folder, "n" * 64, "w" * 64)
    print(len(steps))
    """
)


def test_a_kill_at_every_step_of_a_write_leaves_the_register_before_or_after(published, tmp_path):
    folder, _ = published
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(tests=str(ROOT / "tests")), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean = subprocess.run(
        [sys.executable, str(script), "0", str(folder), str(tmp_path / "r0" / "reg")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert clean.returncode == 0, clean.stderr
    steps = int(clean.stdout.strip().splitlines()[-1])
    assert steps > 5
    for k in range(1, steps + 1):
        register = tmp_path / f"r{k}" / "reg"
        killed = subprocess.run(
            [sys.executable, str(script), str(k), str(folder), str(register)], capture_output=True, env=env
        )
        assert killed.returncode == 9, (k, killed.stderr[-500:])
        with db.opened(register) as connection:
            (status,) = connection.execute("PRAGMA integrity_check").fetchone()
            found = rounds.all_rounds(connection)
            files = connection.execute("SELECT COUNT(*) FROM round_files").fetchone()[0]
            results = connection.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        assert status == "ok"
        assert (found, files, results) == ([], 0, 0) or (len(found), files > 0, results == 12) == (
            1,
            True,
            True,
        ), k
        rerun = subprocess.run(
            [sys.executable, str(script), "0", str(folder), str(register)], capture_output=True, env=env
        )
        assert rerun.returncode == 0, rerun.stderr


def test_two_writers_at_once_are_serialised(published, tmp_path):
    folder, outcome = published
    register = tmp_path / "register"
    with db.opened(register) as connection, db.transaction(connection):
        # a second clerk's write while this one holds the lock waits, then sees this round
        waiter = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(f"""
                import sys; sys.path.insert(0, {str(ROOT)!r})
                from pathlib import Path
                from processor.register import db
                with db.opened(Path({str(register)!r})) as c, db.transaction(c):
                    print(c.execute("SELECT COUNT(*) FROM meta").fetchone()[0])
            """)],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        connection.execute("INSERT INTO meta VALUES ('note', 'held')")
        import time

        time.sleep(1.0)
        assert waiter.poll() is None  # still waiting for the lock
    out, _ = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and out.strip() == "3"
    assert record(folder, outcome, register).version == 1


ADJUSTER = textwrap.dedent(
    """
    import os, sys, pathlib
    sys.path.insert(0, {tests!r})
    from helpers import write_adjustments
    import datetime as dt
    from processor import registry
    from processor.register import db
    steps = []
    def step(name):
        steps.append(name)
        if len(steps) == int(sys.argv[1]):
            os._exit(9)
    register, table = pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    db.step = step
    outcome = registry.adjust(table, register, register.parent / "out", pdf=False)
    assert outcome.ok, [p.message for p in outcome.problems]
    print(len(steps))
    """
)


def test_a_kill_at_every_step_of_recording_decisions_leaves_them_all_or_none(published, tmp_path):
    from helpers import write_adjustments

    folder, outcome = published
    first, second = outcome.results.townships[0].township, outcome.results.townships[3].township
    table = write_adjustments(
        tmp_path / "调整.xlsx",
        [[first, None, dt.date(2023, 5, 10), "市效能办", "离岗", "降低一个等级", "X行服〔2023〕5号"],
         [second, None, dt.date(2023, 6, 1), "媒体曝光", "未开门", "取消等级", "X行服〔2023〕6号"]],
    )  # fmt: skip
    script = tmp_path / "adjuster.py"
    script.write_text(ADJUSTER.format(tests=str(ROOT / "tests")), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def registered(name: str) -> Path:
        register = tmp_path / name / "register"
        record(folder, outcome, register)
        return register

    clean = subprocess.run(
        [sys.executable, str(script), "0", str(registered("r0")), str(table)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert clean.returncode == 0, clean.stderr
    steps = int(clean.stdout.strip().splitlines()[-1])
    assert steps >= 3  # two decisions and the commit
    for k in range(1, steps + 1):
        register = registered(f"r{k}")
        killed = subprocess.run(
            [sys.executable, str(script), str(k), str(register), str(table)], capture_output=True, env=env
        )
        assert killed.returncode == 9, (k, killed.stderr[-500:])
        with db.opened(register) as connection:
            (status,) = connection.execute("PRAGMA integrity_check").fetchone()
            (count,) = connection.execute("SELECT COUNT(*) FROM decisions").fetchone()
        assert status == "ok" and count in (0, 2), (k, count)
