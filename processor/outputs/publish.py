"""Publishing into the output folder: a lock, a staging folder, checks before anything changes,
and the switch (``journal``) that replaces our names in one recorded step.

A command (``run``, ``issue``, ``template``) writes everything into a staging folder inside the
output folder. Only when all of it is written does ``Staging.commit`` check that every name to
be replaced can be (no file of it held open by Excel, WPS or a PDF reader, none read-only, no
folder where a file should be, no link), flush the staged files to disk, record the switch and
make it. A failed or interrupted command leaves the previous outputs as they were; a command
killed during the switch is completed by the next one. A lock keeps two commands on the same
output folder from interleaving.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from ..oserrors import os_error_in, reason
from .journal import (
    ASIDE,
    BINARY,
    JOURNAL_FILE,
    NOFOLLOW,
    STAGING_PREFIX,
    Journal,
    OutputError,
    durable,
    recover,
    remove_journal,
    remove_tree,
    step,
    switch,
    write_journal,
)

try:  # POSIX; elsewhere msvcrt
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_FILE = ".processor.lock"

__all__ = ["LOCK_FILE", "OutputError", "Staging", "overlap", "staging"]


class Staging:
    def __init__(self, folder: Path, target: Path, restored: str | None = None):
        self.folder = folder
        self.target = target
        self.restored = restored  # what the recovery of a killed run did, for the clerk

    def path(self, *parts: str) -> Path:
        """Where to write an output: fixed names of ours (or names made safe from input), each
        one plain name, never a path, never hidden."""
        for part in parts:
            if Path(part).name != part or part.startswith(".") or "\\" in part:
                raise ValueError(f"not an output name: {part!r}")
        return self.folder.joinpath(*parts)

    def folder_path(self, *parts: str) -> Path:
        """A staged folder of ours (``结果``, ``feedback``), created; published as a whole."""
        path = self.path(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def live(self, staged: Path) -> Path:
        """Where a staged path will stand once published."""
        try:
            return self.target / staged.relative_to(self.folder)
        except ValueError:
            return staged

    def commit(self, names: tuple[str, ...] | list[str], folders: Folders | None = None) -> list[Path]:
        """Publish: every name in ``names`` is replaced by its staged version, or removed when
        none is staged. ``folders`` are those of them that are folders, each with what may be in
        it (a folder holding anything else, the clerk's own file, is not replaced). Nothing
        changes unless all of them can be replaced; a failure of the switch itself puts the
        previous versions back."""
        folders = folders or {}
        names = [n for n in names if os.path.lexists(self.folder / n) or os.path.lexists(self.target / n)]
        for name in names:
            self.path(name)
            _replaceable(self.target / name, name in folders, folders.get(name))
        try:
            (self.folder / ASIDE).mkdir(exist_ok=True)
            durable(self.folder)
        except OSError as exc:
            raise _failed(self.live(Path(exc.filename or self.folder)), exc, "无法写入") from exc
        with held_interrupts() as interrupts:
            try:
                removed = tuple(n for n in names if not os.path.lexists(self.folder / n))
                write_journal(self.target, Journal(self.folder.name, tuple(names), removed))
            except OSError as exc:
                _drop_journal(self.target)
                raise _failed(self.target / JOURNAL_FILE, exc, "无法记录发布步骤") from exc
            try:
                switch(self.target, self.folder, names)
            except OSError as exc:
                restored = getattr(exc, "restored", False)
                if restored:
                    _drop_journal(self.target)
                where = Path(exc.filename) if exc.filename else self.target
                raise _failed(self.live(where), exc, "无法替换", restored) from exc
            # Published. A journal that cannot be removed now is removed by the next run (it
            # finds nothing left to switch); a Ctrl-C held back has nothing left to stop.
            with contextlib.suppress(OSError):
                remove_journal(self.target)
            interrupts.clear()
        return [self.target / n for n in names if os.path.lexists(self.target / n)]

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Writing the outputs into the staging folder: a full disk, a name too long, a folder
        without permission is the clerk's to fix, said with the file it concerns (exit 2)."""
        try:
            yield
        except OutputError:
            raise
        except Exception as exc:
            found = os_error_in(exc)
            if found is None:
                raise
            where = Path(found.filename) if found.filename else self.folder
            raise _failed(self.live(where), found, "无法写入") from exc


def _failed(path: Path, exc: OSError, action: str, untouched: bool = True) -> OutputError:
    what, advice = reason(exc)
    kept = "原有结果未被改动" if untouched else "原有结果未能完全恢复，下次运行时会先完成这次发布"
    return OutputError(f"{action} {path}：{what}。{advice}；{kept}")


def _drop_journal(output: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(output / JOURNAL_FILE)
    with contextlib.suppress(OSError):
        os.unlink(output / f"{JOURNAL_FILE}.tmp")


Folders = dict[str, Callable[[PurePosixPath], bool] | None]  # a folder's name -> what of ours it holds


def _replaceable(path: Path, folder: bool, ours: Callable[[PurePosixPath], bool] | None = None) -> None:
    """Refuse, before anything changes, a name the switch could not replace or should not."""
    if not os.path.lexists(path):
        return
    if os.path.islink(path):
        raise OutputError(f"{path} 是一个链接（快捷方式），程序不会替换它；请把它移出输出文件夹后重新运行")
    if folder and not path.is_dir():
        raise OutputError(f"{path} 应为程序的结果文件夹，但现在是一个文件；请把它移出输出文件夹后重新运行")
    if not folder and path.is_dir():
        raise OutputError(
            f"{path} 是一个文件夹，程序要在此写入同名文件；请把该文件夹移出输出文件夹后重新运行"
        )
    files = [path] if not folder else _files_in(path)
    if ours is not None:
        for file in files:
            relative = PurePosixPath(file.relative_to(path).as_posix())
            if not ours(relative) and not relative.name.startswith("~$"):
                raise OutputError(
                    f"{file} 不是本程序生成的文件；发布时整个 {path} 会被替换。"
                    "请把它移到输出文件夹之外后重新运行；原有结果未被改动"
                )
    for file in files:
        held = _held(file)
        if held:
            raise OutputError(f"无法替换 {file}：{held}；原有结果未被改动")


def _files_in(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):  # links to folders are not followed
        found += [Path(root, name) for name in files if not os.path.islink(os.path.join(root, name))]
        dirs.sort()
    return found


def _held(path: Path) -> str | None:
    """Why ``path`` cannot be replaced now, or None. Opening it for writing, and closing it
    without writing a byte, is refused on Windows exactly when Excel, WPS or a PDF reader holds
    it open, or when it is read-only."""
    try:
        # Marked read-only (Windows' attribute shows as a mode without write bits): not
        # replaced on any system, root's included, who could.
        if not os.stat(path).st_mode & 0o222:
            return "该文件是只读的。请在文件属性中取消“只读”后重新运行"
        fd = os.open(path, os.O_RDWR | NOFOLLOW | BINARY)
    except OSError as exc:
        if getattr(exc, "winerror", None) in (32, 33) or _office_lock(path):
            return "该文件正被其他程序打开（如Excel、WPS或PDF阅读器）。请关闭该文件后重新运行"
        if isinstance(exc, PermissionError) and not os.access(path, os.W_OK):
            return "该文件是只读的。请在文件属性中取消“只读”后重新运行"
        what, advice = reason(exc)
        return f"{what}。{advice}"
    os.close(fd)
    return None


def _office_lock(path: Path) -> bool:
    """Excel and WPS keep ``~$name`` beside a file they have open (long names lose two letters)."""
    return any((path.parent / f"~${stem}").exists() for stem in (path.name, path.name[2:]))


@contextlib.contextmanager
def staging(output: Path) -> Iterator[Staging]:
    """Check the output folder before any work, lock it, complete a switch a killed run left
    half-done, sweep what such a run left behind, and stage the outputs inside it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        if not output.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(output))
    except OSError as exc:
        what, advice = reason(exc)
        raise OutputError(f"输出文件夹 {output} 无法使用：{what}。{advice}") from exc
    with _locked(output):
        try:
            with held_interrupts():  # a recovery half-done by Ctrl-C is only resumed later
                restored = recover(output)
            _sweep(output)
            folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output))
        except OSError as exc:
            what, advice = reason(exc)
            raise OutputError(f"输出文件夹 {output} 无法写入：{what}。{advice}") from exc
        try:
            yield Staging(folder, output, restored)
        finally:
            # Once the journal is gone the staging folder is ours alone to remove; a journal
            # still here (a switch that could not be undone) keeps it for the next run.
            if not os.path.lexists(output / JOURNAL_FILE):
                remove_tree(folder)
                step("staging removed")


def _sweep(output: Path) -> None:
    """Remove what a killed run left behind (its staging folder, an old folder set aside by an
    earlier version): safe once the lock is ours and no journal names them."""
    for leftover in output.iterdir():
        if leftover.name.startswith((STAGING_PREFIX, ".old-")):
            remove_tree(leftover)  # a link of that name is removed, never followed
        elif leftover.name in (f"{JOURNAL_FILE}.tmp", ".error.log.tmp"):
            leftover.unlink()


def overlap(first: Path, second: Path) -> bool:
    """Whether two folders are the same or one is inside the other, by their real paths (links
    resolved) and by identity (the same folder reached another way: a mount, a mapped drive)."""
    a, b = (os.path.normcase(os.path.realpath(p)) for p in (first, second))
    return _inside(a, b) or _inside(b, a) or _above(first, second) or _above(second, first)


def within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it (as ``overlap``: real paths, then identity)."""
    a, b = (os.path.normcase(os.path.realpath(p)) for p in (path, folder))
    return _inside(a, b) or _above(folder, path)


def _inside(child: str, parent: str) -> bool:
    try:
        return os.path.commonpath([child, parent]) == parent
    except ValueError:  # different drives
        return False


def _above(folder: Path, path: Path) -> bool:
    """Whether ``folder`` is ``path`` or one of its parents, compared by identity."""
    try:
        mark = os.stat(folder)
    except OSError:
        return False
    if not mark.st_ino:  # a file system without identities: the paths decide
        return False
    for candidate in (Path(os.path.abspath(path)), *Path(os.path.abspath(path)).parents):
        try:
            found = os.stat(candidate)
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (mark.st_dev, mark.st_ino):
            return True
    return False


@contextlib.contextmanager
def _locked(output: Path) -> Iterator[None]:
    """One command per output folder: an OS lock on a file in it (fcntl on POSIX, msvcrt on
    Windows), released by the OS if the command dies. The lock file is never followed through
    a link."""
    busy = f"另一个处理正在使用输出文件夹 {output}；请等它结束后再运行"
    path = output / LOCK_FILE
    if os.path.islink(path) or (os.path.lexists(path) and not path.is_file()):
        raise OutputError(
            f"{path} 不是程序的锁文件（是链接或文件夹），为安全起见不使用它；请删除它后重新运行"
        )
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NOFOLLOW | BINARY, 0o644)
    except OSError as exc:
        what, advice = reason(exc)
        raise OutputError(f"无法在输出文件夹中建立锁文件 {path}：{what}。{advice}") from exc
    with os.fdopen(fd, "r+b") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise OutputError(busy) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            except OSError as exc:
                raise OutputError(busy) from exc
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def held_interrupts() -> Iterator[list]:
    """Hold Ctrl-C back while the outputs are switched (or anything else that must not be cut
    short), then deliver it (unless the body empties the list it is given: the work it would
    have stopped is done)."""
    received: list = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt
