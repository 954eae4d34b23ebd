# pandas ships no stubs and openfisca-core is partly typed; the project's strict mypy
# reaches this file through tests/bench, with or without the bench group installed.
# mypy: allow-untyped-calls, allow-subclassing-any
# mypy: disable-error-code="import-untyped, import-not-found"
"""Run the OpenFisca peer on a visadesk roster CSV, timing each phase.

``run_peer(csv_path, as_of)`` does what an OpenFisca user would do with a CSV:

1. ``read``: :func:`pandas.read_csv` (every cell as text, blanks kept as ``""``);
2. ``convert``: turn columns into the model's inputs (``<fact>`` + ``<fact>_known``
   for yes/no and numbers, enum codes with an ``unknown`` sentinel, one boolean
   per activity code, ``datetime64[D]`` dates);
3. ``build``: ``SimulationBuilder().build_default_simulation(system, count)``
   and one ``set_input`` per input variable for the period;
4. ``calculate``: ``simulation.calculate`` for each category status, decoded to
   the status names (``eligible``, ``ineligible``, ``needs_info``).

The period is the ``as_of`` day, so parameters and dated formulas are those in
force that day. Building the tax and benefit system (loading the parameter
YAML and the variables) is done once per process and timed apart as
``system``; it is not one of the four phases.

The CSV is the visadesk roster format as visadesk writes it (``docs/roster.md``,
``visadesk.roster.write_roster``, the bundled sample): UTF-8 with or without
BOM, comma-separated, canonical headers, ISO dates, ``yes``/``no``, ISO
country codes, canonical enum codes, ``;``-separated activity codes. The peer
reads exactly that, as a pandas user would (``== "yes"``), and raises
``ValueError`` on another yes/no or enum spelling; it does not implement
visadesk's lenient reading (Korean headers, ``Y``/``예``, other encodings and
delimiters, country names, Excel serial dates, ``51%``) nor its validation.

    python -m bench.openfisca_peer.run ROSTER.csv --as-of 2026-11-27
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pandas as pd
from numpy.typing import NDArray
from openfisca_core import periods
from openfisca_core.simulations import Simulation, SimulationBuilder

from bench.openfisca_peer.model import (
    ACTIVITY_CODES,
    CATEGORY_VARIABLES,
    KNOWN_FLAG_FACTS,
    Degree,
    PaidBy,
    Role,
    VisaTaxBenefitSystem,
)

__all__ = ["PHASES", "PeerRun", "convert", "main", "read", "run_peer", "system"]

PHASES = ("read", "convert", "build", "calculate")

_ENUM_COLUMNS = {"role": Role, "paid_by": PaidBy, "degree": Degree}
#: Text columns kept as written, ``""`` when blank (``other_nationalities`` is ``;``-joined).
_COUNTRY_COLUMNS = ("nationality", "employer_nationality", "other_nationalities")
_DATE_COLUMNS = ("trip_start", "trip_end")
#: Dates that may be blank: the value (1970-01-01 when blank) plus ``<name>_known``.
_OPTIONAL_DATE_COLUMNS = ("overstay_departure",)
_NUMBER_COLUMNS = {
    "us_entity_treaty_ownership_pct": float,
    "months_with_employer_last_3y": int,
    "unlawful_presence_days": int,
}

Inputs = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class PeerRun:
    """Per-category status names (one per row, in file order) and the phase timings."""

    count: int
    as_of: dt.date
    worker_ids: NDArray[Any]
    #: Category id (``VWP``, ``B1``, ...) -> status names (``eligible``, ...).
    statuses: dict[str, NDArray[numpy.str_]]
    #: Phase (``read``, ``convert``, ``build``, ``calculate``) -> seconds.
    timings: dict[str, float]
    #: Seconds spent building the tax and benefit system (0 when it was cached).
    system_seconds: float

    @property
    def total_seconds(self) -> float:
        return sum(self.timings[p] for p in PHASES)

    def counts(self) -> dict[str, Counter[str]]:
        return {c: Counter(s.tolist()) for c, s in self.statuses.items()}


@functools.cache
def system() -> VisaTaxBenefitSystem:
    """The peer's tax and benefit system, built once per process."""
    return VisaTaxBenefitSystem()


def read(csv_path: Path) -> pd.DataFrame:
    """The roster as text cells; a blank cell is ``""`` (so country ``NA`` stays Namibia)."""
    return pd.read_csv(
        csv_path,
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
        na_filter=False,
    )


def _checked(frame: pd.DataFrame, name: str, allowed: Sequence[str]) -> pd.Series:
    """The column, after checking every cell is one of ``allowed`` (cheap: one ``isin``)."""
    column = frame[name]
    bad = ~column.isin(allowed)
    if bad.any():
        raise ValueError(f"{name}: unexpected values {sorted(set(column[bad]))[:5]}")
    return column


def convert(frame: pd.DataFrame) -> Inputs:
    """The model's input arrays from the roster's text columns (canonical format)."""
    inputs: Inputs = {}
    for name in _COUNTRY_COLUMNS:
        inputs[name] = frame[name].to_numpy(object)
    for name in _DATE_COLUMNS:
        inputs[name] = pd.to_datetime(frame[name], format="%Y-%m-%d").to_numpy("datetime64[D]")
    for name in _OPTIONAL_DATE_COLUMNS:
        text = frame[name]
        day = pd.to_datetime(text.mask(text == ""), format="%Y-%m-%d")
        inputs[name] = day.fillna(pd.Timestamp(0)).to_numpy("datetime64[D]")
        inputs[f"{name}_known"] = day.notna().to_numpy(bool)
    for name, enum in _ENUM_COLUMNS.items():
        codes = _checked(frame, name, ("", *enum.names))
        inputs[name] = codes.mask(codes == "", "unknown").to_numpy(str)
    for name, kind in _NUMBER_COLUMNS.items():
        text = frame[name]
        number = pd.to_numeric(text.mask(text == ""), errors="raise")
        inputs[name] = number.fillna(0).to_numpy(kind)
        inputs[f"{name}_known"] = number.notna().to_numpy(bool)
    for fact in KNOWN_FLAG_FACTS:
        answer = _checked(frame, fact, ("yes", "no", ""))
        inputs[fact] = (answer == "yes").to_numpy(bool)
        inputs[f"{fact}_known"] = (answer != "").to_numpy(bool)
    planned = ";" + frame["activities"] + ";"
    for code in ACTIVITY_CODES:
        inputs[f"activity_{code}"] = planned.str.contains(f";{code};", regex=False).to_numpy(bool)
    inputs["worker_id"] = frame["worker_id"].to_numpy(object)
    return inputs


def build(inputs: Inputs, period: periods.Period) -> Simulation:
    """A default simulation of ``len`` trips with every input set for ``period``."""
    count = len(inputs["worker_id"])
    simulation = SimulationBuilder().build_default_simulation(system(), count)
    for name, values in inputs.items():
        if name != "worker_id":
            simulation.set_input(name, period, values)
    return simulation


def calculate(simulation: Simulation, period: periods.Period) -> dict[str, NDArray[numpy.str_]]:
    return {
        category: simulation.calculate(variable, period).decode_to_str()
        for category, variable in CATEGORY_VARIABLES.items()
    }


def run_peer(csv_path: Path, as_of: dt.date) -> PeerRun:
    """Screen every trip in ``csv_path`` as of ``as_of`` with the OpenFisca peer."""
    started = time.perf_counter()
    system()
    system_seconds = time.perf_counter() - started
    period = periods.period(as_of.isoformat())
    timings: dict[str, float] = {}

    started = time.perf_counter()
    frame = read(Path(csv_path))
    timings["read"] = time.perf_counter() - started

    started = time.perf_counter()
    inputs = convert(frame)
    timings["convert"] = time.perf_counter() - started

    started = time.perf_counter()
    simulation = build(inputs, period)
    timings["build"] = time.perf_counter() - started

    started = time.perf_counter()
    statuses = calculate(simulation, period)
    timings["calculate"] = time.perf_counter() - started

    return PeerRun(
        count=len(inputs["worker_id"]),
        as_of=as_of,
        worker_ids=inputs["worker_id"],
        statuses=statuses,
        timings=timings,
        system_seconds=system_seconds,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.openfisca_peer.run",
        description="Screen a visadesk roster CSV with the OpenFisca peer and time each phase.",
    )
    parser.add_argument("roster", type=Path, help="roster CSV (visadesk format)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="the day whose rules apply (YYYY-MM-DD; default today)",
    )
    args = parser.parse_args(argv)
    result = run_peer(args.roster, args.as_of)
    print(f"OpenFisca peer: {result.count} trips as of {result.as_of.isoformat()}")
    print(f"  {'system':<10}{result.system_seconds * 1000:>10.1f} ms  (tax and benefit system)")
    for phase in PHASES:
        print(f"  {phase:<10}{result.timings[phase] * 1000:>10.1f} ms")
    print(f"  {'total':<10}{result.total_seconds * 1000:>10.1f} ms")
    names = ("eligible", "needs_info", "ineligible")
    print(f"  {'category':<10}" + "".join(f"{n:>12}" for n in names))
    for category, counts in result.counts().items():
        print(f"  {category:<10}" + "".join(f"{counts.get(n, 0):>12}" for n in names))


if __name__ == "__main__":
    main()
