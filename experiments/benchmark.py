"""Benchmarks of the simulator (issue 5): speed against plain SimPy and Ciw, a district year,
scaling with the caseload, parallel replications, and a profile.

    python experiments/benchmark.py [--rounds 5] [--only mmc,district,scaling,parallel,profile]
    python experiments/benchmark.py --only large,dask   # x10/x100 districts, Dask (about 8 minutes)

Run it from the repository root with the package importable (`pip install -e ".[bench]"`, or
PYTHONPATH=.); without Ciw (the `bench` extra) the Ciw comparison is skipped. About 1.5 minutes.
Prints one table and writes results/bench/<timestamp>.json, with the profile of the district year
beside it (<timestamp>.profile.txt, and <timestamp>.pstats for snakeviz or pstats). Contenders of
a comparison run in the same process, alternating round by round; a ratio is the median of the
rounds' paired ratios, so a slow spell on a shared machine hits both sides of a pair.

- Times are wall-clock (`time.perf_counter`). A replication runs on a prepared `World` (as in
  `run_replications`); the M/M/c contenders run from scratch.
- Kernel events are the events SimPy processed, one `Environment.step` each: the events it
  scheduled (`env._eid`) minus those still queued at the horizon.
- Peak memory is the peak of traced allocations (`tracemalloc`: Python objects and NumPy arrays)
  during one replication, and, as a cross-check, the peak resident set of a fresh process during
  the replication (Linux: VmHWM after resetting it through /proc/self/clear_refs).
- Effective cores: two CPU-bound processes against one, at the start and the end; on a shared
  machine it bounds the parallel speed-up that can be seen.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import mmc_simpy

from sim.config.compose import load_scenario
from sim.config.schema import ScenarioConfig
from sim.experiment.outputs import write_json, write_text
from sim.experiment.replicate import Scenario, run_replications, single_run
from sim.experiment.theory import erlang_c_wait_min
from sim.kpi.monitor import RunResult
from sim.model import World, build_world
from sim.model.simulation import Simulation

REPO = Path(__file__).resolve().parents[1]
OUTPUT_DIR = REPO / "results" / "bench"
SEED = 1
CASES = ("mmc", "district", "scaling", "parallel", "profile", "large", "dask")
DEFAULT_CASES = CASES[:5]  # large (minutes) and dask (the dask extra) on request: --only large,dask

MMC_SERVERS, MMC_ARRIVALS_PER_HOUR, MMC_SERVICE_MEAN_MIN = 3, 2.4, 60.0
MMC_CUSTOMERS = 200_000
MMC_HORIZON_DAYS = round(MMC_CUSTOMERS / MMC_ARRIVALS_PER_HOUR / 24)
CLIENT_SCALES = (0.1, 1.0, 10.0)
LARGE_SCALES = (10.0, 100.0)  # 60,000 and 600,000 clients, with capacity
PARALLEL_REPLICATIONS = 20
SPIN_STEPS = 10_000_000


@dataclass
class Row:
    """One line of the printed table; a target is (comparison, threshold), e.g. (">=", 1.0)."""

    case: str
    measure: str
    value: float
    unit: str = ""
    target: tuple[str, float] | None = None

    def met(self) -> bool | None:
        if self.target is None:
            return None
        comparison, threshold = self.target
        return self.value >= threshold if comparison == ">=" else self.value <= threshold


def seconds(run: Callable, *args: object) -> tuple[float, object]:
    """Wall time of run(*args), and what it returned."""
    started = time.perf_counter()
    value = run(*args)
    return time.perf_counter() - started, value


def timed_replication(world: World, replication: int) -> tuple[float, RunResult, int]:
    """Wall time, result and kernel events of one replication (what `single_run` does)."""
    started = time.perf_counter()
    simulation = Simulation(world, SEED, replication)
    result = simulation.run()
    elapsed = time.perf_counter() - started
    environment = simulation.env
    return elapsed, result, next(environment._eid) - len(environment._queue)


def traced_peak_bytes(run: Callable, *args: object) -> int:
    """Peak of traced allocations during run(*args) (tracemalloc slows it, so it is not timed)."""
    tracemalloc.start()
    try:
        run(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _status_kib(field: str) -> int | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def _replication_rss(config: ScenarioConfig) -> tuple[int | None, int | None]:
    """In a fresh process: resident KiB before one replication and at its peak."""
    world = build_world(config)
    before = _status_kib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    except OSError:
        return before, None
    single_run(Scenario(world, SEED), 0)
    return before, _status_kib("VmHWM")


def fresh_process_rss(config: ScenarioConfig) -> tuple[int | None, int | None]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_replication_rss, (config,))


def _spin(steps: int) -> None:
    total = 0
    for step in range(steps):
        total += step


def effective_cores() -> float:
    """How many cores two CPU-bound processes get: 2.0 on an idle two-core machine."""
    alone, _ = seconds(_spin, SPIN_STEPS)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        together, _ = seconds(pool.map, _spin, [SPIN_STEPS] * 2)
    return 2 * alone / together


# -- 1. the M/M/c queue: simulator, plain SimPy, Ciw ---------------------------------------------
def bench_mmc(rounds: int) -> tuple[list[Row], dict]:
    scenario = Scenario.prepare(load_scenario("mmc", f"horizon_days={MMC_HORIZON_DAYS}", "warmup_days=0"), SEED)
    horizon_min = MMC_HORIZON_DAYS * 24 * 60
    queue = (MMC_SERVERS, MMC_ARRIVALS_PER_HOUR, MMC_SERVICE_MEAN_MIN, horizon_min)

    def simulator(seed: int) -> tuple[int, float]:
        kpis = single_run(scenario, seed).kpis
        return int(kpis["walkins_served"]), kpis["onsite_wait_min_mean"]

    def plain_simpy(seed: int) -> tuple[int, float]:
        stats = mmc_simpy.simulate_mmc(*queue, seed=seed)
        return stats.served, stats.mean_wait_min

    contenders: dict[str, Callable[[int], tuple[int, float]]] = {"simulator": simulator, "plain SimPy": plain_simpy}
    try:
        import mmc_ciw

        contenders[f"Ciw {metadata.version('ciw')}"] = lambda seed: mmc_ciw.simulate_mmc(*queue, seed=seed)
    except ImportError:
        print("Ciw is not installed (pip install .[bench]): skipping it", file=sys.stderr)
    names = list(contenders)
    throughput: dict[str, list[float]] = {name: [] for name in names}
    waits: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            elapsed, (customers, mean_wait) = seconds(contenders[name], round_)
            throughput[name].append(customers / elapsed)
            waits[name].append(mean_wait)
    case = f"1 M/M/{MMC_SERVERS}, {MMC_CUSTOMERS:,} customers"
    rows = [Row(case, f"{name}: customers/s", statistics.median(throughput[name])) for name in names]
    details = {
        "customers": MMC_CUSTOMERS,
        "horizon_days": MMC_HORIZON_DAYS,
        "erlang_c_wait_min": erlang_c_wait_min(MMC_SERVERS, MMC_ARRIVALS_PER_HOUR, MMC_SERVICE_MEAN_MIN),
        "contenders": {name: {"customers_per_s": throughput[name], "mean_wait_min": waits[name]} for name in names},
    }
    for name, minimum in zip(names[1:], (1.0, 2.0)):
        ratios = [ours / theirs for ours, theirs in zip(throughput["simulator"], throughput[name])]
        details["contenders"][name]["ratio"] = ratios
        rows.append(Row(case, f"simulator / {name}", statistics.median(ratios), "x", (">=", minimum)))
    return rows, details


# -- 2. one district year ------------------------------------------------------------------------
def bench_district(rounds: int) -> tuple[list[Row], dict]:
    config = load_scenario("wartburgkreis")
    world = build_world(config)
    times, events, bookings = [], [], []
    for replication in range(rounds):
        elapsed, result, processed = timed_replication(world, replication)
        times.append(elapsed)
        events.append(processed)
        bookings.append(result.ledger["booked"])
    traced = traced_peak_bytes(single_run, Scenario(world, SEED), 0)
    rss_before, rss_peak = fresh_process_rss(config)
    wall = statistics.median(times)
    case = "2 district year"
    rows = [
        Row(case, "wall time (median)", wall, "s", ("<=", 0.5)),
        Row(case, "wall time (fastest)", min(times), "s"),
        Row(case, "kernel events", statistics.median(events)),
        Row(case, "kernel events/s", statistics.median(e / t for e, t in zip(events, times))),
        Row(case, "bookings/s", statistics.median(b / t for b, t in zip(bookings, times))),
        Row(case, "peak traced memory", traced / 2**20, "MiB"),
    ]
    if rss_peak is not None:
        rows.append(Row(case, "peak RSS growth, fresh process", (rss_peak - rss_before) / 1024, "MiB"))
    details = {
        "clients": int(world.client_counts.sum()),
        "wall_s": times,
        "kernel_events": events,
        "bookings": bookings,
        "peak_traced_bytes": traced,
        "rss_kib_before_run": rss_before,
        "rss_kib_peak": rss_peak,
    }
    return rows, details


# -- 3. scaling with the caseload ----------------------------------------------------------------
def scaled_district(scale: float, default_clients: int, capacity: bool) -> World:
    """The district with the caseload scaled; with `capacity`, office counsellors and walk-ins too."""
    return build_world(scaled_config(scale, default_clients, capacity))


def scaled_config(scale: float, default_clients: int, capacity: bool) -> ScenarioConfig:
    """The config of `scaled_district`."""
    overrides = [f"clients.count={round(default_clients * scale)}"]
    if capacity:
        base = load_scenario("wartburgkreis")
        for key, site in base.sites.items():
            if site.kind == "office":
                overrides += [
                    f"sites.{key}.counsellors={max(1, round(site.counsellors * scale))}",
                    f"sites.{key}.walkins.rate_per_hour={site.walkins.rate_per_hour * scale}",
                ]
    return load_scenario("wartburgkreis", *overrides)


def bench_scaling(rounds: int) -> tuple[list[Row], dict]:
    """Time and memory per client as the district grows: caseload with capacity (the target), and
    the caseload alone (information: fixed capacity overflows at x10 and idles at x0.1)."""
    default_clients = int(build_world(load_scenario("wartburgkreis")).client_counts.sum())
    rows, details = [], {}
    for capacity, name in ((True, "district"), (False, "clients only")):
        worlds = {scale: scaled_district(scale, default_clients, capacity) for scale in CLIENT_SCALES}
        case_rows, details[name] = scaling_case(worlds, rounds, name, target=capacity)
        rows += case_rows
    return rows, details


def scaling_case(worlds: dict[float, World], rounds: int, name: str, target: bool) -> tuple[list[Row], dict]:
    case = f"3 scaling, {name}"
    runs: dict[float, list[tuple[float, RunResult, int]]] = {scale: [] for scale in CLIENT_SCALES}
    for round_ in range(rounds):
        for scale in CLIENT_SCALES if round_ % 2 == 0 else CLIENT_SCALES[::-1]:
            runs[scale].append(timed_replication(worlds[scale], round_))
    rows, details, per_client_us = [], {}, {}
    for scale in CLIENT_SCALES:
        world = worlds[scale]
        clients = int(world.client_counts.sum())
        times = [elapsed for elapsed, _, _ in runs[scale]]
        per_event_us = statistics.median(elapsed / events * 1e6 for elapsed, _, events in runs[scale])
        per_booking_us = statistics.median(elapsed / run.ledger["booked"] * 1e6 for elapsed, run, _ in runs[scale])
        traced = traced_peak_bytes(single_run, Scenario(world, SEED), 0)
        rss_before, rss_peak = fresh_process_rss(world.config)
        per_client_us[scale] = statistics.median(times) / clients * 1e6
        label = f"x{scale:g} ({clients:,} clients)"
        rows += [
            Row(case, f"{label}: time/client", per_client_us[scale], "us"),
            Row(case, f"{label}: time/kernel event", per_event_us, "us"),
            Row(case, f"{label}: time/booking", per_booking_us, "us"),
            Row(case, f"{label}: memory/client", traced / clients / 1024, "KiB", ("<=", 2.0) if target else None),
        ]
        details[f"x{scale:g}"] = {
            "clients": clients,
            "wall_s": times,
            "kernel_events": [events for _, _, events in runs[scale]],
            "bookings": [run.ledger["booked"] for _, run, _ in runs[scale]],
            "kept": [run.ledger["kept"] for _, run, _ in runs[scale]],
            "peak_traced_bytes": traced,
            "rss_kib_before_run": rss_before,
            "rss_kib_peak": rss_peak,
        }
    spread = max(per_client_us.values()) / min(per_client_us.values()) - 1
    rows.append(Row(case, "time/client: max/min - 1", 100 * spread, "%", ("<=", 25.0) if target else None))
    return rows, details


# -- 4. parallel replications (and 7: on a Dask LocalCluster) --------------------------------------
def bench_parallel(rounds: int, scheduler: str | None = None) -> tuple[list[Row], dict]:
    """20 district replications on 1 worker process against 2: here, or on a Dask LocalCluster."""
    scenario = Scenario.prepare(load_scenario("wartburgkreis"), SEED)
    times: dict[int, list[float]] = {1: [], 2: []}
    for round_ in range(rounds):
        for workers in (1, 2) if round_ % 2 == 0 else (2, 1):
            elapsed = seconds(run_replications, [scenario], PARALLEL_REPLICATIONS, workers, False, scheduler)[0]
            times[workers].append(elapsed)
    speedups = [serial / parallel for serial, parallel in zip(times[1], times[2])]
    if scheduler is None:
        case, minimum = f"4 parallel, {PARALLEL_REPLICATIONS} replications", 1.8
    else:
        case, minimum = f"7 Dask LocalCluster, {PARALLEL_REPLICATIONS} replications", 1.7
    rows = [
        Row(case, "workers=1", statistics.median(times[1]), "s"),
        Row(case, "workers=2", statistics.median(times[2]), "s"),
        Row(case, "speed-up", statistics.median(speedups), "x", (">=", minimum)),
    ]
    return rows, {"wall_s": {"workers=1": times[1], "workers=2": times[2]}, "speedup": speedups}


# -- 6. a district x10 and x100: time and memory per client ---------------------------------------
def _timed_replication_rss(config: ScenarioConfig) -> tuple[float, int | None, int | None]:
    """In a fresh process: seconds of one replication, resident KiB before it and at its peak."""
    world = build_world(config)
    before = _status_kib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        before = None
    elapsed = seconds(single_run, Scenario(world, SEED), 0)[0]
    return elapsed, before, _status_kib("VmHWM") if before is not None else None


def bench_large(rounds: int) -> tuple[list[Row], dict]:
    """One replication of the district x10 and x100 (caseload and capacity), each in a fresh process."""
    default_clients = int(build_world(load_scenario("wartburgkreis")).client_counts.sum())
    rows, details = [], {}
    for scale in LARGE_SCALES:
        clients = round(default_clients * scale)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            elapsed, before, peak = pool.apply(_timed_replication_rss, (scaled_config(scale, default_clients, True),))
        case = f"6 large, x{scale:g} ({clients:,} clients)"
        rows += [Row(case, "one replication", elapsed, "s"), Row(case, "time/client", elapsed / clients * 1e6, "us")]
        if peak is not None:
            rows.append(Row(case, "peak RSS/client", peak * 1024 / clients, "B"))
        details[f"x{scale:g}"] = {
            "clients": clients,
            "seconds": elapsed,
            "rss_before_kib": before,
            "rss_peak_kib": peak,
        }
    return rows, details


# -- 5. where the time of a district year goes ---------------------------------------------------
def profile_district(stem: Path) -> tuple[list[Row], dict]:
    profiler = cProfile.Profile()
    profiler.runcall(single_run, Scenario.prepare(load_scenario("wartburgkreis"), SEED), 0)
    profiler.dump_stats(stem.with_suffix(".pstats"))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    shares = own_time_by_component(stats)
    text.write("==== own time by component ====\n")
    text.writelines(f"{share:6.1%}  {component}\n" for component, share in shares.items())
    stats.strip_dirs()
    for order in ("tottime", "cumulative"):
        text.write(f"\n==== top 30 by {order} ====\n")
        stats.sort_stats(order).print_stats(30)
    write_text(stem.with_suffix(".profile.txt"), text.getvalue())
    total = sum(entry[2] for entry in stats.stats.values())
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:10]
    functions = [
        {"function": f"{file}:{line}({name})", "calls": entry[1], "own_time_share": entry[2] / total}
        for (file, line, name), entry in top
    ]
    rows = [
        Row("5 profile of (2)", f"own time: {component}", 100 * share, "%")
        for component, share in shares.items()
        if share >= 0.01
    ]
    details = {"profile_txt": stem.with_suffix(".profile.txt").name, "own_time_by_component": shares}
    return rows, details | {"top_by_own_time": functions}


def own_time_by_component(stats: pstats.Stats) -> dict[str, float]:
    """Shares of the profiled time spent in SimPy, in each module of the model, and elsewhere."""
    seconds_by_component: dict[str, float] = {}
    for (file, _, _), entry in stats.stats.items():
        path = Path(file)
        if "simpy" in path.parts:
            component = "SimPy kernel"
        elif path.is_relative_to(REPO / "sim"):
            component = str(path.relative_to(REPO))
        elif file.startswith("~"):
            component = "built-ins (len, heapq, list and deque methods)"
        else:
            component = "other (NumPy, SciPy, standard library)"
        seconds_by_component[component] = seconds_by_component.get(component, 0.0) + entry[2]
    total = sum(seconds_by_component.values())
    ranked = sorted(seconds_by_component.items(), key=lambda item: item[1], reverse=True)
    return {component: seconds / total for component, seconds in ranked}


# -- the table and the record ---------------------------------------------------------------------
def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict:
    """What the numbers were measured on."""
    versions = {}
    for package in ("simpy", "numpy", "ciw"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "git_commit": commit.stdout.strip() or None,
    }


def table(rows: list[Row]) -> str:
    cells = [("case", "measure", "value", "target", "met")]
    for row in rows:
        value = f"{row.value:,.0f}" if abs(row.value) >= 1000 else f"{row.value:.3g}"
        target = f"{row.target[0]} {row.target[1]:g} {row.unit}".strip() if row.target else ""
        met = {None: "", True: "yes", False: "NO"}[row.met()]
        cells.append((row.case, row.measure, f"{value} {row.unit}".strip(), target, met))
    widths = [max(len(line[i]) for line in cells) for i in range(5)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells]
    return "\n".join([lines[0], "-+-".join("-" * width for width in widths), *lines[1:]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per comparison")
    parser.add_argument("--only", default=",".join(DEFAULT_CASES), help=f"comma-separated subset of {','.join(CASES)}")
    args = parser.parse_args()
    cases = args.only.split(",")
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = OUTPUT_DIR / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    record = {"machine": machine(), "rounds": args.rounds, "cases": {}}
    load = {"load_average_start": os.getloadavg(), "effective_cores_start": effective_cores()}
    benchmarks = {
        "mmc": lambda: bench_mmc(args.rounds),
        "district": lambda: bench_district(2 * args.rounds),
        "scaling": lambda: bench_scaling(max(1, args.rounds // 2)),
        "parallel": lambda: bench_parallel(max(1, args.rounds // 2)),
        "profile": lambda: profile_district(stem),
        "large": lambda: bench_large(1),
        "dask": lambda: bench_parallel(max(1, args.rounds // 2), scheduler="local"),
    }
    rows: list[Row] = []
    for case in cases:
        print(f"running {case} ...", file=sys.stderr, flush=True)
        case_rows, record["cases"][case] = benchmarks[case]()
        rows += case_rows
    load |= {"load_average_end": os.getloadavg(), "effective_cores_end": effective_cores()}
    record["machine"] |= load
    record["table"] = [row.__dict__ for row in rows]
    write_json(stem.with_suffix(".json"), record)
    info = record["machine"]
    print(
        f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, SimPy {info['versions']['simpy']}; "
        f"effective cores {load['effective_cores_start']:.2f} at the start, {load['effective_cores_end']:.2f} "
        f"at the end; load average {load['load_average_start'][0]:.1f} / {load['load_average_end'][0]:.1f}"
    )
    print(table(rows))
    print(f"written: {stem.with_suffix('.json').relative_to(REPO)}")


if __name__ == "__main__":
    main()
