"""The switch that publishes, and its journal.

Everything a command publishes is first complete in a staging folder inside the output folder.
The switch then replaces each of our names in the output folder (the results folder, the
problem list, ...) by its staged version, or removes it when nothing is staged under it: the
old one is renamed into the staging folder's ``.old``, the new one renamed in. A folder that is
not empty cannot replace another in one rename, on Windows or on POSIX, so between those two
renames the name is briefly absent. Before the first rename the journal (``.publishing.json``)
records the switch; a run killed half-way (a power cut, a closed terminal) leaves it behind,
and the next command that writes to the folder first completes the switch from it, before it
does anything else, and says so. Every step is a rename inside one folder, so none of them
needs disk space or copies data; each is idempotent from the journal's point of view.

``STEP`` is called after every file-system operation of the switch and of its recovery: the
tests set it to kill the process there, at each step in turn.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..oserrors import reason

JOURNAL_FILE = ".publishing.json"
ASIDE = ".old"  # inside the staging folder: the versions the switch moved out of the way
STAGING_PREFIX = ".staging-"
_STAGING_NAME = re.compile(r"\.staging-[A-Za-z0-9_]{1,64}")
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; on Windows links are checked before opening
BINARY = getattr(os, "O_BINARY", 0)

STEP: Callable[[str], None] | None = None
# On Windows a file just written is often opened for a moment by an antivirus scanner or the
# search indexer, and a rename fails with a sharing violation that is gone a moment later.
RETRIES = 6 if os.name == "nt" else 0


class OutputError(Exception):
    """The output folder cannot be used or changed; the message is for the clerk."""


def step(what: str) -> None:
    if STEP is not None:
        STEP(what)


@dataclass(frozen=True)
class Journal:
    staging: str  # the staging folder's name in the output folder
    names: tuple[str, ...]  # our names in the output folder, in the order they are switched
    removed: tuple[str, ...] = ()  # those of them with nothing staged: the switch removes them


def plain_name(name: object) -> bool:
    """A name of one entry in a folder (what a journal may list), never a path."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not re.search(r"[/\\\x00]", name)
        and Path(name).name == name
    )


def write_journal(output: Path, journal: Journal) -> None:
    import json  # here: a command that publishes nothing need not load it

    data = json.dumps(
        {"staging": journal.staging, "names": list(journal.names), "removed": list(journal.removed)},
        ensure_ascii=False,
    )
    temporary = output / f"{JOURNAL_FILE}.tmp"
    if os.path.islink(temporary):
        os.unlink(temporary)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW | BINARY, 0o644)
    try:
        view = memoryview(data.encode("utf-8"))
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    step("journal written")
    move(temporary, output / JOURNAL_FILE)
    step("journal in place")
    sync_folder(output)


def read_journal(output: Path) -> Journal | None:
    path = output / JOURNAL_FILE
    if not os.path.lexists(path):
        return None
    import json

    broken = (
        f"输出文件夹中的发布记录 {path} 无法读取，无法确定上次中断的发布；"
        f"请把输出文件夹中以 {STAGING_PREFIX} 开头的文件夹发给维护人员，然后删除该记录后重新运行"
    )
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | BINARY)
        try:
            raw = os.read(fd, 1 << 20)
        finally:
            os.close(fd)
        found = json.loads(raw.decode("utf-8"))
        staging, names, removed = found["staging"], found["names"], found.get("removed", [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(broken) from exc
    if not (isinstance(staging, str) and _STAGING_NAME.fullmatch(staging)) or not all(
        isinstance(listed, list) and all(plain_name(n) for n in listed) for listed in (names, removed)
    ):
        raise OutputError(broken)
    return Journal(staging, tuple(names), tuple(removed))


def remove_journal(output: Path) -> None:
    os.unlink(output / JOURNAL_FILE)
    step("journal removed")
    sync_folder(output)


def switch(output: Path, staged: Path, names: Iterable[str]) -> None:
    """Each name: the old version aside, the staged one in. On a failure, what was moved is put
    back and the error raised; if that fails too, the OSError carries ``restored = False``
    and the journal (kept by the caller) lets the next run complete the switch."""
    aside = staged / ASIDE
    done: list[tuple[str, bool, bool]] = []
    try:
        for name in names:
            live, new = output / name, staged / name
            moved_old = os.path.lexists(live)
            if moved_old:
                move(live, aside / name)
                step(f"aside {name}")
            done.append((name, moved_old, False))
            if os.path.lexists(new):
                move(new, live)
                done[-1] = (name, moved_old, True)
                step(f"in {name}")
    except OSError as exc:
        exc.restored = _undo(output, staged, done)
        raise


def _undo(output: Path, staged: Path, done: list[tuple[str, bool, bool]]) -> bool:
    try:
        for name, moved_old, moved_new in reversed(done):
            if moved_new:
                move(output / name, staged / name)
            if moved_old:
                move(staged / ASIDE / name, output / name)
    except OSError:
        return False
    return True


def recover(output: Path) -> str | None:
    """Complete a switch that a killed run left half-done; a sentence for the clerk, or None."""
    journal = read_journal(output)
    if journal is None:
        return None
    staged = output / journal.staging
    if not staged.is_dir() or staged.is_symlink():
        remove_journal(output)
        return "上次运行在发布结果时被中断，且其临时文件夹已不存在；输出文件夹中的结果可能不完整，本次运行会重新生成"
    aside = staged / ASIDE
    for name in journal.names:
        live, new, old = output / name, staged / name, aside / name
        try:
            if name in journal.removed:
                if os.path.lexists(live) and not os.path.lexists(old):
                    move(live, old)
                    step(f"recover aside {name}")
                continue
            if not os.path.lexists(new):
                continue  # moved in already
            if os.path.lexists(live):
                if os.path.lexists(old):
                    raise OutputError(
                        f"上次运行在发布结果时被中断，但其后输出文件夹中又出现了 {live}；"
                        "程序无法判断保留哪一个。请把它移出输出文件夹后重新运行"
                    )
                move(live, old)
                step(f"recover aside {name}")
            move(new, live)
            step(f"recover in {name}")
        except OSError as exc:
            what, advice = reason(exc)
            raise OutputError(
                f"上次运行在发布结果时被中断，现在无法完成它：{live} {what}。{advice}；"
                "完成之前不会发布新的结果"
            ) from exc
    remove_journal(output)
    remove_tree(staged)
    step("recovered staging removed")
    return "上次运行在发布结果时被中断（如断电或强行关闭），已先完成那次发布，输出文件夹中的结果是完整的"


def move(source: Path, target: Path) -> None:
    """One rename inside the output folder, retried briefly where Windows reports a file as in
    use by a scanner that will let it go."""
    for attempt in range(RETRIES + 1):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == RETRIES:
                raise
            time.sleep(0.05 * 2**attempt)


def durable(folder: Path) -> None:
    """Every staged file on disk before the journal says the stage is complete: after a power cut
    a renamed file must not come back empty. POSIX flushes everything in one call; Windows has no
    such call, so each file is flushed (a county's round is a few dozen files)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for root, _, files in os.walk(folder):  # pragma: no cover - Windows
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDWR | BINARY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def sync_folder(folder: Path) -> None:
    """The folder's entries (a rename) on disk; POSIX only: Windows cannot open a folder so."""
    if os.name == "nt":  # pragma: no cover - Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove a folder of ours (never following a link inside it). Read-only files, which
    Windows will not delete, are made writable first; what still cannot go is left for the next
    run's sweep."""

    def writable_then_retry(function, target, _):
        try:
            os.chmod(target, 0o700)
            function(target)
        except OSError:
            pass

    if os.path.islink(path):
        os.unlink(path)
        return
    if not os.path.isdir(path):
        return
    handler = (
        {"onexc": writable_then_retry} if sys.version_info >= (3, 12) else {"onerror": writable_then_retry}
    )
    shutil.rmtree(path, **handler)
