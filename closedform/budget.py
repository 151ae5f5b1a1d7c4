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


def _child(write_end: int, function, args):
    """Run in the forked child: compute, send the pickled (status, value, message), exit without cleanup."""
    status = 1
    try:
        _become_worker(None)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(_computed(function, args))
        status = 0
    finally:
        os._exit(status)


def _become_worker(threads: Optional[int]) -> None:
    """Signals as a worker's (Ctrl-C is the parent's to report; it dies with its parent). ``threads``: the BLAS
    threads it may use when workers run side by side (OpenBLAS's threads spin while they wait: two workers with
    a pool each as large as the machine ran 1.8x slower than one alone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
    if threads is not None:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)


def _computed(function, args) -> bytes:
    """The pickled (status, value, message) of ``function(*args)``: an error is reported, never raised."""
    try:
        return pickle.dumps((Finish.DONE, function(*args), None))
    except Exception as exc:
        return pickle.dumps((Finish.ERROR, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))


class WorkerError(RuntimeError):
    """A task of :class:`Workers` failed, or its worker died."""


class Workers:
    """``count`` forked workers that keep their memory between tasks (their caches stay warm and their pages
    their own: a fresh fork per task searched 40% fewer boxes a second). ``map`` runs ``function(*args)`` for
    each task, up to one per worker at a time, and returns the values in order. No deadline of its own: it runs
    inside a budgeted worker, whose death ends these (they die with their parent). A context manager."""

    def __init__(self, function, count: int):
        self.function, self.workers = function, []
        threads = max(1, cores() // count)
        for _ in range(count):
            tasks_read, tasks_write = os.pipe()
            results_read, results_write = os.pipe()
            pid = _fork(lambda: self._serve(tasks_read, results_write, threads), (tasks_read, results_write),
                        (tasks_write, results_read))
            self.workers.append((pid, tasks_write, results_read))

    def _serve(self, tasks: int, results: int, threads: int):
        """The worker's loop: a task in, its pickled outcome out, until the task pipe closes."""
        status = 1
        try:
            _become_worker(threads)
            while True:
                message = _read_message(tasks)
                if message is None:
                    status = 0
                    break
                _write_message(results, _computed(self.function, pickle.loads(message)))
        finally:
            os._exit(status)

    def map(self, argument_lists) -> list:
        values = [None] * len(argument_lists)
        for start in range(0, len(argument_lists), len(self.workers)):
            batch = list(enumerate(argument_lists))[start:start + len(self.workers)]
            for (_, args), (_, tasks, _) in zip(batch, self.workers):
                _write_message(tasks, pickle.dumps(args))
            for (index, _), (pid, _, results) in zip(batch, self.workers):
                message = _read_message(results)
                if message is None:
                    raise WorkerError(f"worker {pid} died")
                status, value, text = pickle.loads(message)
                if status is not Finish.DONE:
                    raise WorkerError(text)
                values[index] = value
        return values

    def close(self):
        for pid, tasks, results in self.workers:
            os.close(tasks)
            os.close(results)
            _reap(pid)
        self.workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _write_message(fd: int, payload: bytes) -> None:
    """``payload`` with its length in front (8 bytes), all of it."""
    data = memoryview(len(payload).to_bytes(8, "little") + payload)
    while data:
        data = data[os.write(fd, data):]


def _read_message(fd: int) -> Optional[bytes]:
    """One length-prefixed message, or None at end of file."""
    head = _read_exactly(fd, 8)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "little"))


def _read_exactly(fd: int, size: int) -> Optional[bytes]:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def run_with_budget(function, *args, seconds: float) -> Outcome:
    """Run ``function(*args)`` in a forked process for at most ``seconds``."""
    if seconds <= 0:
        return Outcome(Finish.TIMEOUT, message="no time left")
    read_end, write_end = os.pipe()
    pid = _fork(lambda: _child(write_end, function, args), (write_end,), (read_end,))
    try:
        payload = _receive(read_end, seconds if math.isfinite(seconds) else 1e9)
    finally:
        os.close(read_end)
        code = _reap(pid)
    if payload is None:
        return Outcome(Finish.TIMEOUT, message=f"no answer within {seconds:g} s")
    if not payload:
        return Outcome(Finish.ERROR, message=f"worker died ({_describe(code)})")
    status, value, message = pickle.loads(payload)
    return Outcome(status, value, message)


def _fork(body, child_ends, parent_ends) -> int:
    """Fork a worker that runs ``body()`` (which never returns) with only ``child_ends`` of its pipes open; the
    parent keeps ``parent_ends``. The worker's pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        for end in parent_ends:
            os.close(end)
        body()
    for end in child_ends:
        os.close(end)
    return pid


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
