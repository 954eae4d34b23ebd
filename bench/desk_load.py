"""Load generators for the desk benchmark: ``wrk`` when installed, else Python.

Both keep ``connections`` requests in flight (a closed loop: each connection
sends its next request when the last answer arrives) for ``seconds``, or, for
the Python generator only, until ``requests`` requests are done, and give the
same :class:`Load` figures. ``wrk`` runs as its own process with one thread;
its Lua script sets the ``Authorization`` header and prints the percentiles
as JSON. The Python generator (``httpx``, one thread and one keep-alive
connection per concurrent client) is for machines without ``wrk`` and for the
smoke test; it is slower than ``wrk``, which matters only when the server is
faster than it (the bare endpoint).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import httpx

__all__ = ["Load", "available", "run_python", "run_wrk"]

_WRK_SCRIPT: Final = """
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"max": %d, "mean": %f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Load:
    """One load run: requests done, per second, and latency percentiles in milliseconds."""

    tool: str
    url: str
    connections: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, token: str | None, *, connections: int, seconds: float, work: Path) -> Load:
    """``wrk -t1 -c<connections> -d<seconds>s`` with the percentiles script."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    script = work / "desk_bench.lua"
    script.write_text(_WRK_SCRIPT, encoding="utf-8")
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    env = {"BENCH_TOKEN": token or "", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(  # noqa: S603 - wrk, with our arguments
        command, capture_output=True, text=True, check=True, env=env, timeout=seconds + 60
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    duration = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Load(
        tool="wrk",
        url=url,
        connections=connections,
        seconds=round(duration, 2),
        requests=figures["requests"],
        errors=errors,
        rps=round(figures["requests"] / duration, 1),
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        max_ms=figures["max"] / 1000,
        mean_ms=round(figures["mean"] / 1000, 3),
    )


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_python(
    url: str,
    token: str | None,
    *,
    connections: int,
    seconds: float,
    requests: int | None = None,
) -> Load:
    """``connections`` threads, each with its own keep-alive connection, in a closed loop."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    lock = threading.Lock()
    left = [requests if requests is not None else -1]
    deadline = time.perf_counter() + seconds

    def take() -> bool:
        if requests is None:
            return time.perf_counter() < deadline
        with lock:
            if left[0] <= 0:
                return False
            left[0] -= 1
            return True

    def client(k: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as http:
            while take():
                started = time.perf_counter()
                try:
                    response = http.get(url)
                    response.read()
                    ok = response.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies[k].append(time.perf_counter() - started)
                if not ok:
                    errors[k] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(x * 1000 for per in latencies for x in per)
    return Load(
        tool="python",
        url=url,
        connections=connections,
        seconds=round(elapsed, 2),
        requests=len(ordered),
        errors=sum(errors),
        rps=round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(_percentile(ordered, 0.50), 3),
        p95_ms=round(_percentile(ordered, 0.95), 3),
        p99_ms=round(_percentile(ordered, 0.99), 3),
        max_ms=round(ordered[-1], 3) if ordered else 0.0,
        mean_ms=round(statistics.fmean(ordered), 3) if ordered else 0.0,
    )
