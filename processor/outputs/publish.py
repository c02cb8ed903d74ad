"""Atomic writes into the output folder.

Outputs are written into a staging folder inside the output folder and moved into place only
when all of them are complete, with Ctrl-C held back during the moves; a failed or interrupted
run leaves the previous outputs as they were. A lock keeps two runs on the same output folder
from interleaving.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX; elsewhere the lock is a best effort
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_FILE = ".processor.lock"


class OutputError(Exception):
    """The output folder cannot be used; the message is for the clerk."""


class Staging:
    def __init__(self, folder: Path, target: Path):
        self.folder = folder
        self.target = target

    def path(self, name: str) -> Path:
        """Where to write the output ``name``: always a fixed name of ours, never one from input."""
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"not an output name: {name!r}")
        return self.folder / name

    def folder_path(self, name: str) -> Path:
        """A staged folder of ours (e.g. ``feedback``), created empty; it is published as a whole."""
        path = self.path(name)
        path.mkdir()
        return path

    def commit(self, remove: tuple[str, ...] = ()) -> list[Path]:
        """Move every staged file and folder into the output folder, and remove stale outputs of ours.

        A file replaces its old version in one ``os.replace``. A folder cannot replace a non-empty
        one that way, so the old folder is renamed aside first, the new one moved in, then the old
        one deleted: at every moment the folder is either the old one or the new one (a crash
        between the two renames leaves the old one under a hidden ``.old-`` name, never a mix).
        """
        names = sorted(p.name for p in self.folder.iterdir())
        moved, aside = [], []
        with _held_interrupts():
            for name in names:
                source, target = self.folder / name, self.target / name
                if source.is_dir():
                    if target.is_dir() and not target.is_symlink():
                        old = Path(tempfile.mkdtemp(prefix=f".old-{name}-", dir=self.target))
                        os.replace(target, old / name)
                        aside.append(old)
                    elif target.exists() or target.is_symlink():
                        target.unlink()
                os.replace(source, target)
                moved.append(target)
            for name in remove:
                if name not in names:
                    _remove(self.target / name)
        for old in aside:
            shutil.rmtree(old, ignore_errors=True)
        return moved


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def staging(output: Path) -> Iterator[Staging]:
    """Check the output folder before any work, lock it, and stage the outputs inside it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=output))
    except OSError as exc:
        raise OutputError(f"输出文件夹 {output} 无法写入（{exc.strerror or exc}）；请检查路径和权限") from exc
    try:
        with _locked(output):
            _sweep(output, keep=folder)
            yield Staging(folder, output)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(output: Path, keep: Path) -> None:
    """Remove what a killed run left behind (its staging folder, an old folder set aside):
    safe once the lock is ours, since no other run can be using them."""
    for leftover in output.glob(".staging-*"):
        if leftover != keep and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.glob(".old-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _locked(output: Path) -> Iterator[None]:
    """One run per output folder: an OS lock on a file in it (fcntl on POSIX, msvcrt on
    Windows), released by the OS if the run dies."""
    busy = f"另一个处理正在使用输出文件夹 {output}；请等它结束后再运行"
    with open(output / LOCK_FILE, "a+") as handle:
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
def _held_interrupts() -> Iterator[None]:
    """Hold Ctrl-C back while the outputs are moved into place, then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt
