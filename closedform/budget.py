"""Wall-clock budgets that really stop SymPy, and one deadline for a whole run.

Budgeted work runs in a forked child that is killed on expiry (SymPy has no timeout; signal alarms are blind
inside C calls and threads cannot be stopped). The child is forked with ``os.fork`` rather than through
``multiprocessing``, so it also works inside daemonic workers (a ``multiprocessing.Pool``, a Dask worker); on
Linux it asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), so ``kill <pid>`` of a run
never leaves a worker behind."""
from __future__ import annotations

import ctypes
import math
import os
import pickle
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Optional

from .kinds import Finish

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Outcome:
    """``value`` when ``status`` is DONE; TIMEOUT after ``seconds``; ERROR with the message."""

    status: Finish
    value: Any = None
    message: Optional[str] = None


class Deadline:
    """The end of a run, ``seconds`` from now: every stage takes its time from what is left."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @classmethod
    def from_process_start(cls, seconds: float) -> "Deadline":
        """``seconds`` from the start of this process (Python's start-up and imports count), where the
        operating system tells the process's age (Linux); else from now."""
        deadline = cls(seconds)
        deadline.end -= _process_age()
        return deadline

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def check(self) -> None:
        """Raise :class:`Expired` once the deadline has passed (work run by :func:`run_here` calls this)."""
        if self.expired:
            raise Expired(f"the {self.seconds:g} s ran out")

    def __repr__(self):
        return f"Deadline({self.seconds:g} s, {self.left():.2f} s left)"


class Expired(Exception):
    """A deadline passed inside work that watches its own (:meth:`Deadline.check`)."""


def _process_age() -> float:
    """Seconds since this process started (from /proc: start time in clock ticks after boot), or 0."""
    try:
        with open("/proc/self/stat") as handle:
            started = int(handle.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as handle:
            return max(0.0, float(handle.read().split()[0]) - started)
    except (OSError, ValueError, IndexError):
        return 0.0


def die_with_parent():
    """Ask the kernel to kill this process (a worker, or msolve between fork and exec) when its parent dies."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the parent's finally still kills the child
            pass


def _child(write_end: int, function, args):
    """Run in the forked child: compute, send the pickled (status, value, message), exit without cleanup."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent()
        try:
            payload = pickle.dumps((Finish.DONE, function(*args), None))
        except Exception as exc:  # reported to the parent, never raised past the worker
            payload = pickle.dumps((Finish.ERROR, None, f"{type(exc).__name__}: {exc}\n"
                                                          f"{traceback.format_exc(limit=3)}"))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


def _receive(read_end: int, seconds: float) -> Optional[bytes]:
    """All bytes until the writer closes, or None when ``seconds`` pass first."""
    end = time.monotonic() + seconds
    chunks = []
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            return None
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_with_budget(function, *args, seconds: float) -> Outcome:
    """Run ``function(*args)`` in a forked process for at most ``seconds``."""
    if seconds <= 0:
        return Outcome(Finish.TIMEOUT, message="no time left")
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(write_end, function, args)
    os.close(write_end)
    try:
        payload = _receive(read_end, seconds if math.isfinite(seconds) else 1e9)
        if payload is None:
            return Outcome(Finish.TIMEOUT, message=f"no answer within {seconds:g} s")
        if not payload:
            _, code = os.waitpid(pid, 0)
            pid = 0
            return Outcome(Finish.ERROR, message=f"worker died ({_describe(code)})")
        status, value, message = pickle.loads(payload)
        return Outcome(status, value, message)
    finally:
        os.close(read_end)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def run_here(function, *args, seconds: float) -> Outcome:
    """Run ``function(*args, deadline)`` in this process, for float work that calls ``deadline.check()``
    between steps of small, foreseen cost: a fork would cost more than such work (every page it writes is a
    copy-on-write fault, and OpenBLAS restarts its threads). Errors are reported as a worker's are."""
    if seconds <= 0:
        return Outcome(Finish.TIMEOUT, message="no time left")
    try:
        return Outcome(Finish.DONE, function(*args, Deadline(seconds)))
    except Expired:
        return Outcome(Finish.TIMEOUT, message=f"no answer within {seconds:g} s")
    except Exception as exc:  # as a worker reports it: one line and where
        return Outcome(Finish.ERROR, message=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")


def _describe(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"killed by signal {os.WTERMSIG(code)}"
    return f"exit code {os.waitstatus_to_exitcode(code)}"
