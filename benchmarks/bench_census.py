"""Census throughput: the same small census (sigmoid + bce, random labels, d = 1, n = 3 and 4) run on one local
process, two local processes and a Dask LocalCluster with two worker processes, in one run; prints tasks per
second and the ratio to one process (the records of the three runs must agree, the seconds aside).

    python benchmarks/bench_census.py              # 24 datasets
    python benchmarks/bench_census.py 60           # 60 datasets per n"""
import sys
import time

from closedform.census import census

GRID = dict(activations=["sigmoid"], losses=["bce"], n=(3, 4), d=(1,), generator="labels", timeout=60)


def timed(**options):
    start = time.perf_counter()
    records = census(**GRID, **options)
    return records, time.perf_counter() - start


def main():
    datasets = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    from distributed import Client, LocalCluster

    runs = {}
    runs["1 local process"] = timed(datasets=datasets, workers=1)
    runs["2 local processes"] = timed(datasets=datasets, workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.submit(sum, [1]).result()  # the cluster is up before the clock starts
        runs["Dask LocalCluster, 2 workers"] = timed(datasets=datasets, executor=client)
    strip = [[{k: v for k, v in r.items() if k != "seconds"} for r in records] for records, _ in runs.values()]
    agree = all(s == strip[0] for s in strip)
    tasks = len(strip[0])
    base = tasks / runs["1 local process"][1]
    print(f"{tasks} tasks (sigmoid + bce, random labels, d = 1, n = 3, 4); records identical across runs: {agree}")
    print(f"{'executor':<30} {'seconds':>8} {'tasks/s':>8} {'vs 1 process':>13}")
    for name, (_, seconds) in runs.items():
        rate = tasks / seconds
        print(f"{name:<30} {seconds:>8.2f} {rate:>8.2f} {rate / base:>12.2f}x")


if __name__ == "__main__":
    main()
