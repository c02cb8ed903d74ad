"""Process plumbing, kept apart from the domain: which start method worker processes use, a map
over worker processes that keeps the order of its items, and a job run in a forked child beside
the main work.

Nothing here knows about score sheets. Linux forks (cheap: the children share the parent's
imports); macOS may abort a forked child once system frameworks are loaded, and Windows cannot
fork, so both spawn workers (which import the package afresh) and run the side job in turn.
``PROCESSOR_START_METHOD=spawn`` forces the spawn path on Linux too, so that CI runs it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .oserrors import os_error_in

T = TypeVar("T")
R = TypeVar("R")

START_METHOD_ENV = "PROCESSOR_START_METHOD"
MAX_WORKERS = 8


def start_method() -> str:
    """ "fork" on Linux, "spawn" elsewhere, unless PROCESSOR_START_METHOD names one this system has."""
    methods = multiprocessing.get_all_start_methods()
    forced = os.environ.get(START_METHOD_ENV, "")
    if forced in methods:
        return forced
    return "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"


def can_fork() -> bool:
    """Whether children are forked (see the module's docstring)."""
    return start_method() == "fork"


def workers_for(items: int, parallel_from: int) -> int:
    """One worker per core for a batch of at least ``parallel_from`` items, else none (1)."""
    return min(os.cpu_count() or 1, MAX_WORKERS) if items >= parallel_from else 1


def parallel_map(
    function: Callable[[T], R],
    items: list[T],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple,
    chunksize: int,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``map(function, items)`` in ``workers`` processes, in the items' order. A dead worker
    raises ``concurrent.futures.process.BrokenProcessPool`` to the caller. ``meanwhile`` runs
    here once every item is handed out and the workers exist: the parent would only wait.
    Stopped early (Ctrl-C sent to this process alone, an error, results no longer wanted), the
    items not yet started are dropped: only those being read are waited for."""
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        try:
            results = pool.map(function, items, chunksize=chunksize)
            if meanwhile is not None:
                meanwhile()
            yield from results
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


class OutputFailed(Exception):
    """Writing an output in a child process failed: the message is the child's error in one
    line, the child's traceback a note that only error.log shows."""


@contextlib.contextmanager
def beside(job: Callable[[], object] | None, enabled: bool, output: str = "输出文件") -> Iterator[None]:
    """Run ``job`` while the body of the ``with`` runs: in a forked child when ``enabled`` and
    this system forks, else here, first. A large round's workbook takes as long as all its
    other outputs together, and a second core is idle meanwhile; for a county the fork would
    cost more than it saves. A failure of the child is raised here, with its traceback, after
    the body (``output`` names what the child writes, for the clerk); a failure of the body
    stops the child."""
    if job is None or not enabled or not can_fork():
        if job is not None:
            job()
        yield
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(job, send), daemon=True)
    # The round's objects are shared with the child until one side writes to their page; the
    # garbage collector's passes over them would write to every one, in both processes, and
    # copy the whole round. Frozen, they are left alone until the child is done.
    with frozen():
        try:
            child.start()
            send.close()
            yield
            try:
                failure = receive.recv()
            except EOFError:  # killed (out of memory, say) before it could tell
                failure = ("EOFError", f"写出{output}的子进程意外退出（可能是内存不足）", "")
            child.join()
            if failure:
                kind, message, child_traceback, *system = failure
                error = OutputFailed(f"{kind}: {message}")
                error.add_note(f"in the child process:\n{child_traceback}")  # for error.log only
                if system and system[0]:  # a full disk, a name too long: the clerk's to fix
                    raise error from OSError(*system[0])
                raise error
        finally:
            if child.is_alive():
                child.terminate()
                child.join()
            send.close()  # already, unless the child could not be started
            receive.close()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Leave the objects that exist now out of the garbage collector's passes until the body
    ends: a round read in full (at 40,000 sheets, millions of objects) lives that long anyway,
    and every full pass would go over all of it again (grading such a round spent a sixth of
    its time so). A freeze made before is not ours to undo."""
    ours = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()


def _child(job: Callable[[], object], send) -> None:
    """The forked side of ``beside``: its outcome goes to the parent, which reports it. It writes
    its one output and exits, so nothing it makes outlives it: the collector's passes over what
    it makes (a workbook of 2,000 townships holds over 200,000 cells until it is closed) would
    be time spent for nothing."""
    gc.disable()
    try:
        job()
        outcome = None
    except BaseException as exc:  # Ctrl-C included: the parent decides what the clerk sees
        system = os_error_in(exc)
        reported = (system.errno, system.strerror, system.filename) if system and system.errno else None
        outcome = (type(exc).__name__, str(exc), traceback.format_exc(), reported)
    with contextlib.suppress(OSError):  # a parent that stopped waiting has closed the pipe
        send.send(outcome)


def in_order(results: Iterable[R], total: int, every: int, progress: Callable[[int, int], None] | None):
    """Pass ``results`` through, telling ``progress`` every ``every`` items."""
    for n, result in enumerate(results, start=1):
        if progress and n % every == 0:
            progress(n, total)
        yield result
