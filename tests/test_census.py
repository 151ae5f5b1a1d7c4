"""The census (closedform/census.py): seeded generators, anchors from the literature, resume, and a real Dask
cluster. Ground truth is independent of the pipeline: Auer-Herbster-Warmuth's count floor(n/d)^d, Cover's
formula for the probability of homogeneous linear separability, and in 2-D an angular-gap test of separability
on the regenerated data."""
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import binom

import closedform as cf
from closedform.census import Cell, Task, analyse, census, summary, tasks
from closedform.model.generators import auer_herbster_warmuth, labels, teacher
from separability import cover, separable

THOROUGH = os.environ.get("CLOSEDFORM_THOROUGH") == "1"


def test_generators_rebuild_the_same_data_from_the_same_seed():
    assert teacher(5, 2, 7) == teacher(5, 2, 7) and teacher(5, 2, 7) != teacher(5, 2, 8)
    data = teacher(200, 2, 1)
    assert all(0.01 <= float(t) <= 0.99 and len(x) == 2 for x, t in data)
    flips = [t for _, t in labels(400, 1, 3)]
    assert set(flips) == {0, 1} and 150 < sum(flips) < 250  # fair coins: 200 +- 2.5 sd
    assert auer_herbster_warmuth(5, 2) == [((1, 0), "9/10"), ((-10, 0), "9/10"), ((0, 1), "9/10"),
                                           ((0, -10), "9/10"), ((0, 0), "9/10")]


def test_every_task_seed_is_fixed_by_its_cell_and_index():
    first = tasks(n=(3, 4), d=(1, 2), datasets=3, seed=5)
    assert [t.seed for t in first] == [t.seed for t in tasks(n=(3, 4), d=(1, 2), datasets=3, seed=5)]
    assert len({t.seed for t in first}) == len(first) == 12
    assert [t.seed for t in tasks(n=(3, 4), d=(1, 2), datasets=3, seed=6)] != [t.seed for t in first]


@pytest.mark.parametrize("arguments, fragment", [
    ({"n": (0,)}, "n = 0 must be a whole number >= 1"), ({"datasets": 0}, "datasets = 0"),
    ({"activations": ("nope",)}, "nope"), ({"generator": "gauss"}, "generator 'gauss' is not known"),
    ({"l2": (-1,)}, "l2 = -1 must be >= 0"), ({"timeout": math.inf}, "timeout = inf"),
    ({"box": 0}, "box = 0 must be a number > 0"), ({"box": "wide"}, "box = 'wide' is not a number")])
def test_bad_census_input_is_refused_before_any_work(arguments, fragment):
    with pytest.raises(cf.InputError, match=fragment.replace("(", r"\(")):
        census(**arguments)


def test_a_box_is_part_of_the_cell_and_leaves_the_other_cells_seeds_alone():
    plain, boxed = tasks(n=(3,), d=(1,), datasets=1)[0], tasks(n=(3,), d=(1,), datasets=1, box="5/2")[0]
    assert plain.cell.key == "sigmoid/mse/n=3/d=1/bias=0/l2=0/teacher"
    assert plain.seed == zlib.crc32(b"sigmoid/mse/n=3/d=1/bias=0/l2=0/teacher/0/0")  # key / index / census seed
    assert boxed.cell.key == plain.cell.key + "/box=5/2" and boxed.seed != plain.seed


def _minima_by_multistart(data, radius):
    """Local minima of sum_i (sigmoid(x_i.w) - t_i)^2 strictly inside [-R, R]^d from a grid of L-BFGS-B starts,
    8 per axis in 2-D, 6 in 3-D (SciPy: a route that shares nothing with the pipeline; it can miss minima, never
    invent them: each is kept only where the gradient is below 1e-9 and the Hessian, by finite differences, is
    positive definite)."""
    X = np.array([[float(v) for v in x] for x, _ in data])
    y = np.array([float(v) for _, v in data])
    d = X.shape[1]

    def loss(w):
        return float(np.sum((expit(X @ w) - y) ** 2))

    def gradient(w):
        s = expit(X @ w)
        return X.T @ (2 * (s - y) * s * (1 - s))

    found = []
    for start in itertools.product(np.linspace(-radius, radius, 8 if d == 2 else 6), repeat=d):
        w = minimize(loss, np.array(start), jac=gradient, method="L-BFGS-B", bounds=[(-radius, radius)] * d,
                     options={"gtol": 1e-13, "ftol": 1e-15, "maxiter": 3000}).x
        hessian = np.array([(gradient(w + e) - gradient(w - e)) / 2e-6 for e in np.eye(d) * 1e-6])
        if (np.abs(w) < radius - 1e-6).all() and np.linalg.norm(gradient(w)) < 1e-9 \
                and (np.linalg.eigvalsh((hessian + hessian.T) / 2) > 0).all() \
                and not any(np.linalg.norm(w - other) < 1e-5 for other in found):
            found.append(w)
    return len(found)


def test_a_census_in_a_box_counts_the_minima_a_multistart_finds():
    """Mei-Bai-Montanari's setting: teacher data, the parameters confined to [-5, 5]^d; each record's minima are
    exactly those SciPy's multistart finds in the box, and the proof is the box's (not the whole space's). The 3-D
    dataset has a second minimum at w = (5.998, 3.915, 2.923), just outside the box, which the search verifies
    on its way: it is left out of the count (``outside_box``), as the points a search meets beyond its box are
    there by chance."""
    records = census(n=(16,), d=(2,), datasets=1, box=5, timeout=60, workers=1)
    records += [analyse(Task(Cell("sigmoid", "mse", 8, 3, False, "0", "teacher", "5"), 9, 1657050097), 60)]
    assert [record["outside_box"] for record in records] == [0, 1]
    for record in records:
        assert record["status"] == "ok" and record["complete"] and not record["whole_space"], record
        assert record["certificate"] == "box-exclusion" and record["box"] == "5"
        assert record["minima"] == _minima_by_multistart(teacher(record["n"], record["d"], record["seed"]), 5) == 1


def test_auer_herbster_warmuth_count_in_every_trial():
    """floor(n/d)^d local minima (their theorem), every one of them a proved-complete answer (the construction
    is deterministic: one trial per cell by default, three in the thorough run; 1-D n = 4, with scales up to
    10^3, takes 30 s and runs only there)."""
    trials = 3 if THOROUGH else 1
    records = (census(n=(2, 3, 4) if THOROUGH else (2, 3), d=(1,), generator="ahw", datasets=trials, timeout=90,
                      workers=2)
               + census(n=(2, 3, 4), d=(2,), generator="ahw", datasets=trials, timeout=60, workers=2))
    assert len(records) == (6 if THOROUGH else 5) * trials
    for record in records:
        assert record["status"] == "ok" and record["complete"], record
        assert record["minima"] == (record["n"] // record["d"]) ** record["d"], record


def _separable(data) -> bool:
    """The labels (t = 1: s = +1, t = 0: s = -1) separable through the origin, by the angular-gap test."""
    return separable([x for x, _ in data], [1 if label else -1 for _, label in data])


def test_cover_separability_fraction():
    """sigmoid + bce without bias, Gaussian inputs in R^2, fair labels: 'no finite stationary point, proved, the
    infimum at infinity' happens exactly when the data are separable. Each record agrees with the angular-gap
    test on its own regenerated data, and the count per n lies in the 99% binomial interval around Cover's
    probability (1/2 at n = 2d = 4). Default: n = 3, 4, 6 with 12 datasets each; thorough: n = 3..8, 400 each."""
    sizes, count = ((3, 4, 5, 6, 7, 8), 400) if THOROUGH else ((3, 4, 6), 12)
    records = census(["sigmoid"], ["bce"], n=sizes, d=(2,), generator="labels", datasets=count, timeout=60,
                     workers=2)
    for record in records:
        assert record["status"] == "ok" and record["complete"] and record["whole_space"], record
        separable = _separable(labels(record["n"], 2, record["seed"]))
        no_point = record["minima"] == 0 and record["certificate"] == "sign-separation"
        assert no_point == separable == record["infimum_at_infinity"], record
    for n in sizes:
        found = sum(r["minima"] == 0 for r in records if r["n"] == n)
        low, high = binom.ppf(0.005, count, cover(n, 2)), binom.ppf(0.995, count, cover(n, 2))
        assert low <= found <= high, (n, found, count, cover(n, 2))


CLI = [sys.executable, "-m", "closedform", "census", "--generator", "labels", "--loss", "bce", "--n", "3,4",
       "--dim", "1", "--trials", "5", "--workers", "2", "--timeout", "60"]


def test_a_killed_run_resumes_without_duplicates_or_gaps(tmp_path):
    """SIGKILL a census midway (its pool workers die with it), run it again on the same file: every task once."""
    out = tmp_path / "census.jsonl"
    process = subprocess.Popen(CLI + ["--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = out.read_text().count("\n")
    assert 2 <= before < 10, before  # killed midway
    subprocess.run(CLI + ["--out", str(out)], check=True, stdout=subprocess.DEVNULL, timeout=300)
    keys = [json.loads(line)["task"] for line in out.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 10
    assert set(keys) == {task.key for task in tasks(["sigmoid"], ["bce"], (3, 4), (1,), generator="labels",
                                                    datasets=5)}


def test_a_dask_local_cluster_gives_the_same_records_as_the_local_pool():
    """Two real worker processes (daemonic, as Dask's are): the budget forks inside them and the records equal
    the local pool's, the seconds aside, through a Client and through the scheduler's address."""
    import distributed  # the test extra installs it: a missing Dask fails, never skips
    grid = dict(activations=["sigmoid"], losses=["bce", "mse"], n=(2,), d=(1,), generator="labels", datasets=2,
                timeout=60)
    local = census(**grid, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = census(**grid, executor=client)
        by_address = census(**grid, executor=cluster.scheduler_address)  # as --scheduler ADDRESS does
    strip = lambda records: [{k: v for k, v in r.items() if k != "seconds"} for r in records]  # noqa: E731
    assert strip(remote) == strip(local) == strip(by_address) and len(local) == 4
    assert all(r["status"] == "ok" for r in local)


def test_summary_counts_by_hand():
    records = [{"task": "c/0", "activation": "sigmoid", "loss": "mse", "n": 3, "d": 1, "bias": False, "l2": "0",
                "generator": "teacher", "status": "ok", "minima": m, "infimum_at_infinity": inf, "complete": done}
               for m, inf, done in ((1, False, True), (2, False, False), (1, True, True))]
    records += [dict(records[0], status="timeout"), dict(records[0], status="partial")]
    row, = summary(records)
    assert (row["datasets"], row["ok"], row["complete"], row["partial"], row["timeout"], row["error"]) == \
        (5, 3, 2, 1, 1, 0)
    assert row["mean_minima"] == pytest.approx(4 / 3) and row["sd_minima"] == pytest.approx(math.sqrt(1 / 3))
    assert row["spurious"] == pytest.approx(2 / 3) and row["at_infinity"] == pytest.approx(1 / 3)


class _Failing:
    """A generator that raises for index-derived seeds it is told to, and kills its worker once (while the marker
    file exists): the census must record the first as errors and leave the second to a rerun."""

    __name__ = "failing"

    def __init__(self, marker, bad_seed):
        self.marker, self.bad_seed = str(marker), bad_seed

    def __call__(self, n, d, seed):
        if seed == self.bad_seed:
            raise ValueError("no data for this seed")
        if os.path.exists(self.marker):
            os.remove(self.marker)
            os._exit(1)
        return labels(n, d, seed)


def test_failures_are_recorded_and_a_lost_worker_is_retried(tmp_path):
    grid = dict(losses=["bce"], n=(3,), d=(1,), datasets=3, timeout=60, workers=1, out=tmp_path / "c.jsonl")
    bad = tasks(["sigmoid"], ["bce"], (3,), (1,), generator=_Failing("x", 0), datasets=3)[1].seed
    marker = tmp_path / "die-once"
    marker.write_text("")
    with pytest.warns(RuntimeWarning, match="lost with their worker"):
        first = census(generator=_Failing(marker, bad), **grid)
    assert len(first) < 3 and not marker.exists()
    again = census(generator=_Failing(marker, bad), **grid)
    assert [r["index"] for r in again] == [0, 1, 2]
    assert [r["status"] for r in again] == ["ok", "error", "ok"]
    assert again[1]["error"] == "ValueError: no data for this seed"
