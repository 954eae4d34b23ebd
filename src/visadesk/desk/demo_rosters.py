"""The demo's rosters: the rows each organization of the demo's world files.

Part of the rows come from the bundled sample roster (Hanbit's battery plant in
Georgia and Haeon's shipyard in Philadelphia), moved in time with the screening
date; the rest are synthetic rows from :mod:`visadesk.synth` moved onto the
demo's projects and organizations. The same seed, trip count and screening date
give the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from visadesk._synth_world import _CONSTRUCTION, _CONTRACTORS
from visadesk.desk.demo_world import (
    DEMO_SEED,
    DEMO_TODAY,
    ORG,
    ORG_BY_NAME,
    PROJECT_BY_NAME,
    PROJECT_BY_SECTOR,
    SAMPLE_SHARE,
)
from visadesk.roster.schema import COLUMNS

__all__ = ["DemoRow", "demo_rows", "roster_csv"]

_CONSTRUCTION_FIRMS: Final = frozenset(n for n, kind, _ in _CONTRACTORS if kind == _CONSTRUCTION)


@dataclass(frozen=True)
class DemoRow:
    """One roster row (CSV texts) and the organization that files it."""

    project: str
    filer: str
    values: Mapping[str, str]

    @property
    def trip_start(self) -> str:
        return self.values["trip_start"]


def _sample() -> list[dict[str, str]]:
    source = resources.files("visadesk") / "data" / "sample" / "roster.csv"
    text = source.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _shift(value: str, days: int) -> str:
    if not value or not days:
        return value
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sample_rows(count: int, shift: int) -> list[DemoRow]:
    sample = _sample()
    count = min(count, len(sample))
    picked = [sample[i * len(sample) // count] for i in range(count)] if count else []
    rows = []
    for row in picked:
        values = dict(row)
        for name in ("trip_start", "trip_end", "visa_expiry"):
            values[name] = _shift(values[name], shift)
        project = PROJECT_BY_NAME[values["project"]]
        employer = ORG_BY_NAME.get(values["employer"])
        # Foreign equipment vendors' technicians are filed by the sponsor itself.
        filer = employer.key if employer is not None else project.sponsor
        rows.append(DemoRow(project.name, filer, values))
    return rows


def _synthetic_pool(count: int, seed: int, start: dt.date) -> Iterator[dict[str, Any]]:
    """Synthetic rows on the demo's sectors, employed by Korean companies."""
    # numpy and polars load on demand: the other commands need not pay for them.
    from visadesk.synth import synthesize  # noqa: PLC0415

    size, given = max(64, 4 * count), 0
    while True:
        frame = synthesize(size, seed, start)
        matching = (
            row
            for row in frame.iter_rows(named=True)
            if row["sector"] in PROJECT_BY_SECTOR and row["employer_nationality"] == "KR"
        )
        # Row i is the same whatever the size: a larger draw starts with the rows given.
        for number, row in enumerate(matching):
            if number < given:
                continue
            yield row
            given += 1
            if given == count:
                return
        size *= 2


def _synthetic_rows(count: int, seed: int, start: dt.date) -> list[DemoRow]:
    numbers: Counter[str] = Counter()
    rows = []
    for row in _synthetic_pool(count, seed, start) if count else iter(()):
        project = PROJECT_BY_SECTOR[row["sector"]]
        own = row["employer"] == row["sponsor"]
        if own:
            filer = project.sponsor
        elif project.sponsor == "hanbit":
            filer = "sejin" if row["employer"] in _CONSTRUCTION_FIRMS else "daeseong"
        else:
            filer = "haedam"
        numbers[filer] += 1
        values = {name: _text(row[name]) for name in (c.name for c in COLUMNS)}
        korean = values["nationality"] == "KR"
        values.update(
            worker_id=f"{ORG[filer].prefix}-{1000 + numbers[filer]:04d}",
            employer=ORG[filer].name,
            employer_nationality="KR",
            sponsor=ORG[project.sponsor].name,
            project=project.name,
            site_state=project.state,
            worksite=project.worksite,
            sector=project.sector,
            us_entity=project.us_entity,
        )
        # The facts about the US entity follow the demo project (blanks stay blank).
        known = {
            "us_entity_treaty_ownership_pct": str(project.korean_pct if korean else 0),
            "us_entity_e2_registered": _text(project.e2_registered),
            "us_entity_affiliated": _text(own),
            "blanket_l": _text(own),
        }
        for name, value in known.items():
            if values[name]:
                values[name] = value
        # Facts a sponsor knows of its people (issue #11's optional columns): its own
        # staff held qualifying jobs abroad and its managers manage; the machinery
        # subcontractor installs what its company sold.
        values.update(
            qualifying_job_abroad=_text(own),
            primarily_managerial=_text(own and values["role"] in {"manager", "executive"}),
            employer_is_seller=_text(filer == "daeseong"),
        )
        rows.append(DemoRow(project.name, filer, values))
    return rows


def _monday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def demo_rows(trips: int, *, seed: int = DEMO_SEED, today: dt.date = DEMO_TODAY) -> list[DemoRow]:
    """The demo's roster rows: part of the sample roster, the rest synthetic."""
    sample = _sample_rows(round(trips * SAMPLE_SHARE), (today - DEMO_TODAY).days)
    # Synthetic trips start from eight weeks before the screening date: the earliest have
    # travelled already.
    start = _monday_before(today - dt.timedelta(weeks=8))
    return sample + _synthetic_rows(trips - len(sample), seed, start)


def roster_csv(rows: Sequence[DemoRow]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c.name for c in COLUMNS])
    writer.writeheader()
    writer.writerows(r.values for r in rows)
    return out.getvalue().encode("utf-8")
