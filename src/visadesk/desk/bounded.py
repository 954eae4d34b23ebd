"""Reading an uploaded roster first in a worker process, under a time and memory budget.

A roster file is untrusted: however its static limits look (see
:mod:`visadesk.roster.limits`), parsing it may still take long or grow large.
:func:`read_bounded` reads and validates it in a child process (``forkserver``:
the readers are imported once, a fork is cheap) whose address space is capped
with ``RLIMIT_AS`` and which is killed when it overruns its time. Only a file the
child read in full within budget is read again (and screened) by the desk's own
process; a refusal is a :class:`RosterError` naming the limit (``time`` or
``memory``), or the problems the child found.

The child returns nothing but "ok" or the refusal: sending thousands of screened
rows back through a pipe costs more than reading the file again.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final

from visadesk.roster.limits import RosterLimits, limit_error
from visadesk.roster.model import RosterError

__all__ = ["Budget", "read_bounded", "warm"]

_MIB: Final = 1 << 20
_PRELOAD: Final = ["visadesk.roster.read", "visadesk.roster.scan", "visadesk.screening"]


@dataclass(frozen=True, slots=True)
class Budget:
    """How long (seconds) and how much memory (MiB of address space) one read may take."""

    seconds: float = 60.0
    memory_mib: int = 3072


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    with contextlib.suppress(Exception):  # only before the server starts; later it is kept
        ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def warm() -> None:
    """Start the worker server now (it imports the readers once), not on the first upload."""
    _context()
    from multiprocessing import forkserver  # noqa: PLC0415

    forkserver.ensure_running()


def _child(conn: Connection, path: str, source: str, limits: RosterLimits, memory_mib: int) -> None:
    """Read and validate the roster; send back ``("ok",)``, a RosterError or a failure."""
    try:
        limit = memory_mib * _MIB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from visadesk.roster.read import read_roster  # noqa: PLC0415
        from visadesk.roster.scan import fast_roster  # noqa: PLC0415

        file = Path(path)
        fast = fast_roster(file)  # the desk screens large plain CSV/Parquet this way
        if fast is None:
            read_roster(file, limits=limits, source=source)
        elif fast.rows > limits.rows:
            raise limit_error(source, "rows", fast.rows, limits.rows)
        conn.send(("ok",))
    except RosterError as refused:
        conn.send(("refused", refused))
    except MemoryError:
        conn.send(("memory",))
    except BaseException as error:
        conn.send(("failed", f"{type(error).__name__}: {error}"[:300]))
    finally:
        conn.close()


def read_bounded(path: Path, *, source: str, limits: RosterLimits, budget: Budget) -> None:
    """Return when the roster at ``path`` reads within budget; else raise RosterError."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(  # type: ignore[attr-defined]
        target=_child, args=(send, str(path), source, limits, budget.memory_mib), daemon=True
    )
    child.start()
    send.close()
    try:
        if not receive.poll(budget.seconds):
            raise limit_error(source, "time", f"> {budget.seconds:g}", f"{budget.seconds:g}")
        try:
            message = receive.recv()
        except EOFError:  # killed without a word: the kernel's OOM killer, a crash
            message = ("memory",)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    kind = message[0]
    if kind == "ok":
        return
    if kind == "refused":
        raise message[1]
    if kind == "memory":
        raise limit_error(source, "memory", f"> {budget.memory_mib}", budget.memory_mib)
    raise RuntimeError(f"reading the roster failed in the worker: {message[1]}")
