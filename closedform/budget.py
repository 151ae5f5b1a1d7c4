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


def cores() -> int:
    """The processors this process may run on (its affinity mask where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def die_with_parent():
    """Ask the kernel to kill this process (a worker, or msolve between fork and exec) when its parent dies."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the parent's finally still kills the child
            pass


def _child(write_end: int, function, args, threads: Optional[int]):
    """Run in the forked child: compute, send the pickled (status, value, message), exit without cleanup.
    ``threads``: the BLAS threads it may use, when workers run side by side (OpenBLAS's threads spin while they
    wait: two workers with a pool each as large as the machine ran 1.8x slower than one alone)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent()
        if threads is not None:
            from threadpoolctl import threadpool_limits
            threadpool_limits(threads)
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


def run_with_budget(function, *args, seconds: float) -> Outcome:
    """Run ``function(*args)`` in a forked process for at most ``seconds``."""
    return run_all(function, [args], seconds=seconds, workers=1)[0]


def run_all(function, argument_lists, seconds: float, workers: int) -> list:
    """``function(*args)`` for every ``args`` of ``argument_lists``, each in a forked process, up to ``workers``
    at once, all within ``seconds``: their Outcomes in order (TIMEOUT for those the time did not reach)."""
    if seconds <= 0:
        return [Outcome(Finish.TIMEOUT, message="no time left") for _ in argument_lists]
    end = time.monotonic() + (seconds if math.isfinite(seconds) else 1e9)
    outcomes = [Outcome(Finish.TIMEOUT, message=f"no answer within {seconds:g} s") for _ in argument_lists]
    threads = max(1, cores() // workers) if workers > 1 else None
    waiting = list(enumerate(argument_lists))[::-1]
    running = {}  # read end of a worker's pipe -> (its index, pid, the bytes read so far)
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                index, args = waiting.pop()
                read_end, pid = _fork(function, args, threads)
                running[read_end] = (index, pid, [])
            left = end - time.monotonic()
            if left <= 0:
                break
            for read_end in select.select(list(running), [], [], left)[0]:
                index, pid, chunks = running[read_end]
                chunk = os.read(read_end, 1 << 20)
                if chunk:
                    chunks.append(chunk)
                    continue
                del running[read_end]
                os.close(read_end)
                outcomes[index] = _outcome(b"".join(chunks), pid)
    finally:
        for read_end, (_, pid, _) in running.items():
            os.close(read_end)
            _reap(pid)
    return outcomes


def _fork(function, args, threads: Optional[int]):
    """(the read end of its pipe, pid) of a new worker computing ``function(*args)`` (``threads``: :func:`_child`)."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(write_end, function, args, threads)
    os.close(write_end)
    return read_end, pid


def _outcome(payload: bytes, pid: int) -> Outcome:
    """What a worker that closed its pipe sent (nothing: it died), the worker reaped."""
    code = _reap(pid)
    if not payload:
        return Outcome(Finish.ERROR, message=f"worker died ({_describe(code)})")
    status, value, message = pickle.loads(payload)
    return Outcome(status, value, message)


def _reap(pid: int) -> int:
    """Kill the worker if it still runs (one that answered is only exiting) and wait for it: its wait status."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return os.waitpid(pid, 0)[1]


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
