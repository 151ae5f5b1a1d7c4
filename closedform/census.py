"""A census of stationary points: a grid of problems (activation, loss, n, d, bias, l2) times a number of seeded
random datasets per grid cell, each analysed by the normal pipeline under its own deadline, one JSON line per
dataset. Every task's seed is a hash of its cell and index, so a rerun, another machine or a Dask cluster rebuilds
the same data; a rerun with the same output file skips the tasks already there (resume after Ctrl-C or a lost
worker). Executors: a local process pool by default, any ``concurrent.futures.Executor``, a
``dask.distributed.Client`` or a scheduler address."""
from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import time
import warnings
import zlib
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from itertools import product
from pathlib import Path
from typing import Optional

import sympy as sp

from .budget import die_with_parent
from .errors import InputError
from .kinds import Kind
from .model.activations import get_activation
from .model.generators import get_generator
from .model.losses import get_loss
from .model.numbers import exact_number
from .problem import Neuron


@dataclass(frozen=True)
class Cell:
    """One grid point; ``generator`` names a generator of :mod:`.model.generators`; ``box`` = R (an exact number)
    confines the analysis to the cube [-R, R]^p of the parameters (None: the pipeline's own box or the whole
    space)."""

    activation: str
    loss: str
    n: int
    d: int
    bias: bool
    l2: str
    generator: str
    box: Optional[str] = None

    @property
    def key(self) -> str:
        return (f"{self.activation}/{self.loss}/n={self.n}/d={self.d}/bias={int(self.bias)}/l2={self.l2}/"
                f"{self.generator}" + ("" if self.box is None else f"/box={self.box}"))


@dataclass(frozen=True)
class Task:
    cell: Cell
    index: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.cell.key}/{self.index}"


def task_seed(cell: Cell, index: int, base: int = 0) -> int:
    """A 32-bit seed from the cell, the dataset's index and the census seed (CRC-32: the same everywhere)."""
    return zlib.crc32(f"{cell.key}/{index}/{base}".encode())


def tasks(activations=("sigmoid",), losses=("mse",), n=(4,), d=(1,), bias=(False,), l2=(0,), generator="teacher",
          datasets: int = 10, seed: int = 0, box=None) -> list:
    """Every (cell, index) of the grid, in a fixed order; the arguments are checked here, before any work."""
    for name in activations:
        get_activation(name)
    for name in losses:
        get_loss(name)
    get_generator(generator)
    for label, values in (("n", n), ("d", d)):
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"census: {label} = {value!r} must be a whole number >= 1")
    if isinstance(datasets, bool) or not isinstance(datasets, int) or datasets < 1:
        raise InputError(f"census: datasets = {datasets!r} must be a whole number >= 1")
    lams = [str(exact_number(value, "l2")) for value in l2]
    if any(sp.Rational(value) < 0 for value in lams):
        raise InputError(f"census: l2 = {', '.join(lams)} must be >= 0")
    if box is not None:
        box = str(exact_number(box, "box"))
        if sp.Rational(box) <= 0:
            raise InputError(f"census: box = {box} must be a number > 0 (the half-width R of the cube [-R, R]^p)")
    name = generator if isinstance(generator, str) else getattr(generator, "__name__", type(generator).__name__)
    cells = [Cell(a, loss, size, dim, b, lam, name, box)
             for a, loss, size, dim, b, lam in product(activations, losses, n, d, bias, lams) if dim <= size]
    return [Task(cell, index, task_seed(cell, index, seed)) for cell in cells for index in range(datasets)]


def _float(value) -> Optional[float]:
    """A JSON number to 12 significant digits (None where not a finite real)."""
    try:
        number = float(sp.N(value, 20)) if isinstance(value, sp.Basic) else float(value)
    except (TypeError, ValueError):
        return None
    return float(f"{number:.12g}") if math.isfinite(number) else None


def analyse(task: Task, timeout: float, generator=None) -> dict:
    """One dataset's census record. A failure is recorded (status "error" and its message), never raised. With a
    box, only the points inside it are counted (the search may verify others beyond it, found or not by chance);
    ``outside_box`` says how many were left out."""
    cell = task.cell
    record = {"task": task.key, **asdict(cell), "index": task.index, "seed": task.seed}
    start = time.perf_counter()
    try:
        data = get_generator(generator or cell.generator)(cell.n, cell.d, task.seed)
        neuron = Neuron(cell.activation, cell.loss, dim=cell.d, bias=cell.bias, l2=cell.l2, data=data)
        radius = None if cell.box is None else float(sp.Rational(cell.box))
        box = None if radius is None else [(-radius, radius)] * neuron.p
        result = neuron.stationary_points(timeout=timeout, box=box)
    except Exception as exc:  # noqa: BLE001  (a census records every failure and goes on)
        return record | {"status": "error", "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                         "seconds": round(time.perf_counter() - start, 3)}
    counted = [p for p in result.points if radius is None or all(abs(_float(v)) <= radius for v in p.w)]
    kinds = [p.kind for p in counted]
    minima = [_float(p.loss) for p in counted if p.kind is Kind.MIN]
    limits = [value for value in (_float(a.limit_loss) for a in result.asymptotic) if value is not None]
    best = min((m for m in minima if m is not None), default=None)
    lowest = min(limits, default=None)
    infimum = result.infimum
    return record | {
        "status": result.status.value, "error": None,
        "minima": kinds.count(Kind.MIN), "saddles": kinds.count(Kind.SADDLE), "maxima": kinds.count(Kind.MAX),
        "degenerate": kinds.count(Kind.DEGENERATE), "unclassified": kinds.count(Kind.UNCLASSIFIED),
        "outside_box": len(result.points) - len(counted),
        "regions": len(result.regions), "complete": result.complete, "whole_space": result.complete and result.box is None,
        "certificate": None if result.certificate is None else result.certificate.kind.value,
        "zeros_at_infinity": len(result.asymptotic), "lowest_limit": lowest, "best_minimum": best,
        "infimum_at_infinity": None if infimum is None else not infimum.attained,
        "infimum_proved": bool(infimum and infimum.proved),
        "seconds": round(time.perf_counter() - start, 3)}


def finished(path) -> dict:
    """{task key: record} already in the JSON-lines file ``path``; a torn last line (a run killed while writing)
    is cut off the file so that the next record starts on a line of its own."""
    path = Path(path)
    if not path.exists():
        return {}
    text = path.read_text()
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
        path.write_text(text)
    records = {}
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
            records[record["task"]] = record
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(f"census: {str(path)!r} line {number} is not a census record") from None
    return records


def _executor(executor, workers):
    """(executor, close): a local process pool (its workers die with this process) unless one is given; a
    ``dask.distributed.Client`` gives its executor; a string is a Dask scheduler's address, connected to here.
    ``close`` ends what was opened here (nothing for an executor the caller owns)."""
    if executor is None:
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), initializer=die_with_parent)
        return pool, lambda: pool.shutdown(wait=False, cancel_futures=True)
    if isinstance(executor, str):
        from distributed import Client

        client = Client(executor)
        return client.get_executor(), client.close
    if hasattr(executor, "get_executor"):
        return executor.get_executor(), lambda: None
    if not isinstance(executor, Executor):
        raise InputError(f"census: executor = {executor!r} is neither a concurrent.futures.Executor, a Dask "
                         f"Client nor a scheduler address")
    return executor, lambda: None


def census(activations=("sigmoid",), losses=("mse",), n=(4,), d=(1,), bias=(False,), l2=(0,), generator="teacher",
           datasets: int = 10, seed: int = 0, timeout: float = 10.0, out=None, executor=None,
           workers: Optional[int] = None, progress: Optional[bool] = None, box=None) -> list:
    """Analyse every dataset of the grid (see :func:`tasks`), each within ``timeout`` seconds; returns the records
    in grid order. An analysis that fails is recorded (status "error"); a task whose worker died gets no record
    (a warning counts them). With ``out`` (a JSON-lines file) each record is appended as it finishes and a rerun
    skips the tasks already there."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputError(f"census: timeout = {timeout!r} must be a finite number of seconds > 0")
    todo = tasks(activations, losses, n, d, bias, l2, generator, datasets, seed, box)
    done = finished(out) if out is not None else {}
    pending = [task for task in todo if task.key not in done]
    given = None if isinstance(generator, str) else generator
    if pending:
        from .solve.numeric import progress_bar

        pool, close = _executor(executor, workers)
        lost = []
        try:
            futures = {pool.submit(analyse, task, timeout, given): task for task in pending}
            with open(out, "a") if out is not None else contextlib.nullcontext() as sink:
                for future in progress_bar(as_completed(futures), "census", progress, unit="dataset"):
                    try:
                        record = future.result()
                    except Exception:  # noqa: BLE001  (a worker died: the task is not done, a rerun retries it)
                        lost.append(futures[future].key)
                        continue
                    done[record["task"]] = record
                    if sink is not None:
                        sink.write(json.dumps(record) + "\n")
                        sink.flush()
        finally:
            close()
        if lost:
            warnings.warn(f"census: {len(lost)} task(s) lost with their worker (e.g. {lost[0]}); they have no record "
                          f"and a rerun with the same output file retries them", RuntimeWarning, stacklevel=2)
    return [done[task.key] for task in todo if task.key in done]


OTHER_STATUSES = ("partial", "timeout", "inconsistent", "error")  # besides "ok"


def summary(records) -> list:
    """Per grid cell: datasets, how many ended ok (and of those, complete) / partial / timeout / inconsistent /
    error, the mean and spread of the number of local minima (over the ok ones), the fraction with a spurious
    local minimum (a minimum above the infimum: two or more minima, or one while the infimum lies at infinity)
    and the fraction whose infimum lies at infinity."""
    cells = {}
    for record in records:
        cells.setdefault(record["task"].rsplit("/", 1)[0], []).append(record)
    rows = []
    for key, group in cells.items():
        ok = [r for r in group if r["status"] == "ok"]
        minima = [r["minima"] for r in ok]
        spurious = [r["minima"] >= 2 or (r["minima"] >= 1 and r["infimum_at_infinity"]) for r in ok]
        at_infinity = [bool(r["infimum_at_infinity"]) for r in ok]
        first = group[0]
        rows.append({
            "cell": key, **{name: first.get(name) for name in ("activation", "loss", "n", "d", "bias", "l2", "generator", "box")},
            "datasets": len(group), "ok": len(ok), "complete": sum(bool(r.get("complete")) for r in ok),
            **{status: sum(r["status"] == status for r in group) for status in OTHER_STATUSES},
            "mean_minima": statistics.fmean(minima) if minima else None,
            "sd_minima": statistics.stdev(minima) if len(minima) > 1 else None,
            "spurious": statistics.fmean(spurious) if ok else None,
            "at_infinity": statistics.fmean(at_infinity) if ok else None})
    return rows


def summary_table(rows) -> str:
    """The summary as a plain-text table (ok: finished in time; of those, complete: proved complete)."""
    width = max([44] + [len(row["cell"]) for row in rows])
    head = (f"{'cell':<{width}} {'ok':>4} {'cmpl':>4} {'part':>4} {'t/o':>4} {'err':>4} {'minima':>13} {'spurious':>9} "
            f"{'at inf':>7}")
    lines = [head, "-" * len(head)]
    for row in rows:
        mean = "-" if row["mean_minima"] is None else f"{row['mean_minima']:.2f}"
        spread = "" if row["sd_minima"] is None else f" ± {row['sd_minima']:.2f}"
        spurious = "-" if row["spurious"] is None else f"{row['spurious']:.2f}"
        infinity = "-" if row["at_infinity"] is None else f"{row['at_infinity']:.2f}"
        lines.append(f"{row['cell']:<{width}} {row['ok']:>4} {row['complete']:>4} {row['partial']:>4} {row['timeout']:>4} "
                     f"{row['error'] + row['inconsistent']:>4} {mean + spread:>13} {spurious:>9} {infinity:>7}")
    return "\n".join(lines)
