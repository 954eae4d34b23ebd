"""The desk benchmark runs end to end at a small size (the real run is `make bench-desk`).

No timing is asserted: the smoke run checks that every figure of the report is
produced, on each database, and that the block it writes leaves the rest of
docs/benchmarks.md alone (and that ``bench.run`` keeps the block).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench import desk_report
from visadesk.desk.db import normalize_url

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "VISADESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
LOAD_FIELDS = {"tool", "connections", "requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms"}


def _postgres_reachable() -> None:
    try:
        engine = create_engine(normalize_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as error:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL} ({type(error).__name__})"
        if os.environ.get("VISADESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " and VISADESK_REQUIRE_POSTGRES=1")
        pytest.skip(reason)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_desk_benchmark_smoke_run(tmp_path: Path, database: str) -> None:
    if database == "postgresql":
        _postgres_reachable()
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nThe batch engine's figures.\n", encoding="utf-8")
    raw = tmp_path / "desk.json"
    command = [
        sys.executable,
        "-m",
        "bench.desk",
        "--smoke",
        "--db",
        database,
        "--work",
        str(tmp_path / "work"),
        "--out",
        str(out),
        "--json",
        str(raw),
        "--pg-url",
        POSTGRES_URL,
    ]
    result = subprocess.run(  # noqa: S603 - our own module
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Benchmarks\n\nThe batch engine's figures.\n")
    block = desk_report.extract(written)
    assert block is not None
    for expected in (
        "## The desk service",
        "Machine: ",
        f"### {database}",
        "| bare endpoint | 1 |",
        "| queue, first page | 1 |",
        "| queue, filtered | 2 |",
        "screen_roster alone",
        "### Desk targets",
        "queue page p95 ≤ 50 ms",
        "of the bare endpoint's requests/s",
        "300-row upload validated, screened, stored ≤ 5 s",
    ):
        assert expected in block, expected

    figures = json.loads(raw.read_text(encoding="utf-8"))
    assert {"cores", "memory", "python", "sqlite"} <= set(figures["machine"])
    if database == "postgresql":
        assert "postgresql" in figures["machine"]
    measured = figures["databases"][database]
    assert measured["seed"]["cases"] == 300
    assert sum(measured["seed"]["by_state"].values()) == 300
    for connections in ("1", "2"):
        assert set(measured["bare"][connections]) >= LOAD_FIELDS
        for page in ("queue", "filtered"):
            load = measured["load"][page][connections]
            assert set(load) >= LOAD_FIELDS
            assert load["requests"] == 30
            assert load["errors"] == 0
    assert measured["upload"]["rows"] == 300
    assert measured["upload"]["created"] == 300
    assert len(measured["upload"]["runs_s"]) == 1
    assert measured["screen_alone"]["rows"] == 300


def test_the_batch_benchmark_keeps_the_desk_block() -> None:
    block = "<!-- desk:begin -->\n{}\n<!-- desk:end -->\n"
    generated = "# Benchmarks\n\nnew figures\n\n" + block.format("placeholder")
    existing = "# Benchmarks\n\nold figures\n\n" + block.format("the desk's figures")
    kept = desk_report.carry(existing, generated)
    assert "new figures" in kept
    assert "old figures" not in kept
    assert desk_report.extract(kept) == "\nthe desk's figures\n"
    # A file without the block keeps what was generated; the desk block is appended once.
    assert desk_report.carry("# Benchmarks\n", generated) == generated
    appended = desk_report.replace("# Benchmarks\n", "figures")
    assert appended == "# Benchmarks\n\n<!-- desk:begin -->\nfigures\n<!-- desk:end -->\n"
    assert desk_report.replace(appended, "again").count(desk_report.BEGIN) == 1


def test_the_template_holds_the_desk_markers() -> None:
    template = (ROOT / "bench" / "benchmarks.md.in").read_text(encoding="utf-8")
    assert desk_report.extract(template) is not None
