"""Benchmark: how long a shell user waits for each command, and the web page's hot paths.

Run from the repository root::

    .venv/bin/python benchmarks/startup.py              # 7 runs of each command
    .venv/bin/python benchmarks/startup.py --runs 15 --skip-http

Part 1 times whole processes, as ``hyperfine`` does: each command is started ``--runs``
times after one untimed warm-up run (so the OS file cache and reachmap's own caches are
warm, as they are for a user's second command); the script prints the median and the
fastest wall time, the median peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``) and the ratio of the median to the median of ``python -c "import pyproj"``
measured in the same run, so a slower or busier machine moves the baseline too.
``python -c pass`` is the floor of any Python command. Every command must exit 0, or the
script exits with status 1.

Part 2 times two web endpoints in this process through FastAPI's ``TestClient`` (the
request goes through the whole ASGI app, middleware included, without a socket):
``GET /api/v1/places?q=Kri`` (the page's type-ahead) and a repeated
``GET /api/v1/basemap/countries`` with ``Accept-Encoding: gzip``; the first call of each
is reported apart, then the median of ``--calls`` further calls.

The targets of issue 12 (2-core machine): ``--help`` and ``distance`` under 0.35 s median
and 150 MB; ``reach`` (places) under 0.8 s; places under 10 ms; the basemap under 20 ms
after the first call. The script prints whether each holds; it does not fail on them
(timings depend on the machine: see benchmarks/README.md for measured tables).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PY = sys.executable
REACHMAP = str(Path(PY).with_name("reachmap"))

#: (label, argv, target seconds or None, target MB or None)
COMMANDS: list[tuple[str, list[str], float | None, float | None]] = [
    ("python -c pass", [PY, "-c", "pass"], None, None),
    ('python -c "import pyproj"', [PY, "-c", "import pyproj"], None, None),
    ("reachmap --help", [REACHMAP, "--help"], 0.35, 150),
    ("reachmap distance Minsk Berlin", [REACHMAP, "distance", "Minsk", "Berlin"], 0.35, 150),
    ("reachmap place Krichev", [REACHMAP, "place", "Krichev"], None, None),
    ("reachmap classify Oreshnik", [REACHMAP, "classify", "Oreshnik"], None, None),
    (
        'reachmap reach --site Minsk --range "500-5500 km" --format json',
        [REACHMAP, "reach", "--site", "Minsk", "--range", "500-5500 km", "--format", "json"],
        0.8,
        None,
    ),
]
BASELINE = 'python -c "import pyproj"'


@dataclass
class Timing:
    label: str
    median_s: float
    min_s: float
    rss_mb: float


def run_once(argv: list[str]) -> tuple[float, float]:
    """Run a command to its end; return (wall seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{shlex.join(argv)} exited with {proc.returncode}: {err.strip()[:400]}")
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def time_command(label: str, argv: list[str], runs: int) -> Timing:
    run_once(argv)  # warm-up: file cache, reachmap's index and grid caches
    walls, rss = zip(*(run_once(argv) for _ in range(runs)), strict=True)
    return Timing(label, statistics.median(walls), min(walls), statistics.median(rss))


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "yes" if value < target else "NO"


def processes(runs: int) -> bool:
    print(f"## Whole processes ({runs} runs each after one warm-up; median)\n")
    print("| command | median | fastest | peak RSS | × import pyproj | target | met |")
    print("|---|---:|---:|---:|---:|---|---|")
    timings = {label: time_command(label, argv, runs) for label, argv, _, _ in COMMANDS}
    base = timings[BASELINE].median_s
    ok = True
    for label, _, target_s, target_mb in COMMANDS:
        t = timings[label]
        target = []
        met = []
        if target_s is not None:
            target.append(f"< {target_s:g} s")
            met.append(verdict(t.median_s, target_s))
        if target_mb is not None:
            target.append(f"< {target_mb:g} MB")
            met.append(verdict(t.rss_mb, target_mb))
        ok = ok and "NO" not in met
        print(
            f"| `{label}` | {t.median_s:.3f} s | {t.min_s:.3f} s | {t.rss_mb:.0f} MB "
            f"| {t.median_s / base:.2f} | {', '.join(target)} | {', '.join(met)} |"
        )
    return ok


def http(calls: int) -> bool:
    import warnings

    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

    from reachmap.server.app import Settings, create_app

    print(f"\n## Web endpoints in process (TestClient; median of {calls} calls after the first)\n")
    print("| request | first call | median | fastest | target | met |")
    print("|---|---:|---:|---:|---|---|")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        app = create_app(Settings(database_url=f"sqlite:///{db}", populations=("places",)))
        with TestClient(app) as client:
            cases = [
                ("GET /api/v1/places?q=Kri", "/api/v1/places?q=Kri", {}, 0.010),
                (
                    "GET /api/v1/basemap/countries (gzip)",
                    "/api/v1/basemap/countries",
                    {"accept-encoding": "gzip"},
                    0.020,
                ),
            ]
            for label, url, headers, target in cases:
                times = []
                for _ in range(calls + 1):
                    start = time.perf_counter()
                    r = client.get(url, headers=headers)
                    times.append(time.perf_counter() - start)
                    if r.status_code != 200:
                        sys.exit(f"{label}: HTTP {r.status_code}")
                first, rest = times[0], times[1:]
                med = statistics.median(rest)
                met = verdict(med, target)
                ok = ok and met != "NO"
                print(
                    f"| `{label}` | {1000 * first:.1f} ms | {1000 * med:.2f} ms "
                    f"| {1000 * min(rest):.2f} ms | < {1000 * target:g} ms | {met} |"
                )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--calls", type=int, default=50, help="timed calls of each endpoint")
    parser.add_argument("--skip-http", action="store_true", help="only the whole processes")
    args = parser.parse_args()
    if not Path(REACHMAP).exists():
        sys.exit(f"no reachmap command next to {PY}: run scripts/setup.sh first")
    print(f"{platform.python_implementation()} {platform.python_version()} on "
          f"{platform.machine()}, {os.cpu_count()} cores\n")  # fmt: skip
    ok = processes(args.runs)
    if not args.skip_http:
        ok = http(args.calls) and ok
    print("\nall targets met" if ok else "\nsome targets not met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
