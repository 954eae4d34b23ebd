"""What-if analysis: the same roster under the baseline and under a proposed rule set.

Counts per category and status under both, who changes and why, and for a
capped category (E-4: 15,000 a fiscal year) when the cap would run out given the
trips' start dates. Works on the compact verdicts, so it runs on either engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Unpack

import polars as pl

from visadesk.engine import Status
from visadesk.engine.plan import STATUS_CODES, Legend
from visadesk.policy.model import Cap, Policy
from visadesk.report.whatif_result import CapUse, Change, WhatIf
from visadesk.screening import ScreenedRoster, ScreenOptions, screen_roster

__all__ = ["CapUse", "Change", "WhatIf", "fiscal_period", "what_if"]


def fiscal_period(day: dt.date, period: str) -> str:
    """The US fiscal year (from 1 October) or half year of a day: ``FY2027``, ``FY2027 H2``."""
    year = day.year + 1 if day.month >= 10 else day.year
    if period == "fiscal_year":
        return f"FY{year}"
    half = "H1" if day.month >= 10 or day.month <= 3 else "H2"
    return f"FY{year} {half}"


def _status_counts(frame: pl.DataFrame, category: str) -> dict[str, int]:
    column = f"status_{category}"
    if column not in frame.columns:
        return {}
    return dict(frame.group_by(column).len().iter_rows())


def _cap_uses(
    frame: pl.DataFrame, category: str, cap: Cap, policy: Policy, *, as_of: dt.date, demand: str
) -> list[CapUse]:
    """Use of the cap by people for whom the category is recommended (the likely users) or
    eligible (everyone who could use it), one approval per person, in trip-start order.

    People whose cap-exemption fact is yes are not counted; a period's cap is the
    parameter plus the supplemental numbers the rule set gives for that period."""
    base = int(str(policy.param(cap.param, as_of)))
    extra: Mapping[str, object] = {}
    if cap.supplemental is not None:
        value = policy.param(cap.supplemental, as_of)
        extra = value if isinstance(value, Mapping) else {}
    chosen = (
        pl.col("recommended") == category
        if demand == "recommended"
        else pl.col(f"status_{category}") == Status.ELIGIBLE.value
    )
    if cap.exempt_fact is not None:
        chosen = chosen & ~pl.col(cap.exempt_fact).fill_null(False)
    users = (
        frame.filter(chosen)
        .sort("trip_start", "row")
        .unique("worker_id", keep="first", maintain_order=True)
    )
    uses: list[CapUse] = []
    by_period: dict[str, list[tuple[dt.date, str]]] = {}
    for start, worker in users.select("trip_start", "worker_id").iter_rows():
        by_period.setdefault(fiscal_period(start, cap.period), []).append((start, worker))
    for period, people in sorted(by_period.items()):
        limit = base + int(str(extra.get(period, 0)))
        over = people[limit] if len(people) > limit else None
        uses.append(
            CapUse(
                category=category,
                demand=demand,
                period=period,
                cap=limit,
                used=min(len(people), limit),
                exhausted_on=people[limit - 1][0] if len(people) >= limit else None,
                first_over_cap=over[1] if over else None,
            )
        )
    return uses


def _side(record: dict[str, object], key: str, after: bool, shared: bool) -> object:
    """A column of one side of the joined frame (shared columns carry ``__after`` on the right)."""
    return record.get(f"{key}__after" if after and shared else key)


def _changes(
    before: pl.DataFrame,
    after: pl.DataFrame,
    before_ids: list[str],
    after_ids: list[str],
    legend: Legend,
) -> list[Change]:
    joined = before.join(after, on="row", suffix="__after")
    categories = list(dict.fromkeys([*before_ids, *after_ids]))
    changes: list[Change] = []
    for record in joined.iter_rows(named=True):
        statuses: list[tuple[str, str | None, str | None]] = []
        for cid in categories:
            shared = cid in before_ids and cid in after_ids
            old = _side(record, f"status_{cid}", False, shared) if cid in before_ids else None
            new = _side(record, f"status_{cid}", True, shared) if cid in after_ids else None
            gained = old is None and new == Status.ELIGIBLE.value
            lost = new is None and old == Status.ELIGIBLE.value
            if (shared and old != new) or gained or lost:
                statuses.append((cid, _text(old), _text(new)))
        rec_before, rec_after = record["recommended"], record["recommended__after"]
        if not statuses and rec_before == rec_after:
            continue
        explained = [c for c, _, _ in statuses]
        if rec_after is not None and rec_after != rec_before:
            explained.append(str(rec_after))
        why: list[str] = []
        for cid in dict.fromkeys(explained):
            if cid in after_ids:
                shared = cid in before_ids
                mask = _side(record, f"reasons_{cid}", True, shared)
                why.extend(r for r in legend.rules(cid, int(str(mask or 0))) if r not in why)
        changes.append(
            Change(
                str(record["worker_id"]),
                int(str(record["row"])),
                _text(rec_before),
                _text(rec_after),
                tuple(statuses),
                tuple(why),
            )
        )
    return changes


def _readable(run: ScreenedRoster) -> pl.DataFrame:
    """Compact verdicts with status names (reasons stay bitmasks until a change is listed)."""
    names = {i: s.value for i, s in enumerate(STATUS_CODES)}
    return (
        run.compact()
        .collect()
        .with_columns(
            pl.col(f"status_{c}").replace_strict(names, return_dtype=pl.String)
            for c in run.categories
        )
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def what_if(
    roster: Path,
    baseline: Policy,
    proposed: Policy,
    *,
    as_of: dt.date,
    **options: Unpack[ScreenOptions],
) -> WhatIf:
    """Screen ``roster`` under both rule sets (start date, engine, sheet as
    :func:`~visadesk.screening.screen_roster` takes them) and compare."""
    runs = [screen_roster(roster, p, as_of=as_of, **options) for p in (baseline, proposed)]
    trips = runs[0]
    frames = [_readable(r) for r in runs]
    exempt = sorted(
        {
            c.cap.exempt_fact
            for c in proposed.categories.values()
            if c.cap is not None and c.cap.exempt_fact is not None
        }
    )
    facts = trips.trip_starts(*exempt).collect()
    starts = frames[0].select("row").join(facts, on="row", how="left")
    after = frames[1].join(starts, on="row", how="left")
    result = WhatIf(baseline.version, proposed.version, as_of, frames[0].height)
    before_ids, after_ids = runs[0].categories, runs[1].categories
    categories = list(dict.fromkeys([*before_ids, *after_ids]))
    for cid in categories:
        old, new = _status_counts(frames[0], cid), _status_counts(frames[1], cid)
        result.statuses[cid] = {s.value: (old.get(s.value, 0), new.get(s.value, 0)) for s in Status}
    old_rec = dict(frames[0].group_by("recommended").len().iter_rows())
    new_rec = dict(frames[1].group_by("recommended").len().iter_rows())
    for key in dict.fromkeys([*categories, None]):
        result.recommended[key or "-"] = (old_rec.get(key, 0), new_rec.get(key, 0))
    result.changes = _changes(frames[0], frames[1], before_ids, after_ids, runs[1].legend)
    for cid in after_ids:
        cap = proposed.categories[cid].cap
        if cap is not None:
            for demand in ("recommended", "eligible"):
                result.caps.extend(_cap_uses(after, cid, cap, proposed, as_of=as_of, demand=demand))
    return result
