"""The batch engine: the rule set compiled to Polars, evaluated over whole rosters.

It reads the same :class:`~visadesk.policy.model.Policy` as the per-case
:class:`~visadesk.engine.screen.Screener` and mirrors its semantics column by
column (a property test holds the two to identical output on random rosters).

Results stay compact: a status code per category, and bitmasks — over the
category's rule slots (which rules decided it), over the facts (which are
missing), over provisions (the legal basis) and over flags. A :class:`Legend`
names every bit; expansion to rule ids, citations and messages happens only
when results are written for people (:meth:`BatchScreener.results`).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from visadesk.engine.compile import (
    NULL_BOOL,
    CompileContext,
    activity_column,
    compile_expr,
    missing_expr,
)
from visadesk.engine.result import (
    CategoryVerdict,
    Check,
    FlagHit,
    Outcome,
    ScreeningResult,
    Status,
)
from visadesk.engine.screen import Screener, derive_facts, source_fact
from visadesk.policy.expr import evaluate, facts_of
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, Policy, Rule
from visadesk.roster.scan import ACTIVITY_MASK
from visadesk.roster.schema import ACTIVITY_CODES, FactValue

__all__ = ["STATUS_CODES", "BatchScreener", "Legend", "Slot", "prepare"]

#: Status codes in the compact columns (``status_X``).
STATUS_CODES: Final = (Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE)
_BITS: Final = 64


@dataclass(frozen=True, slots=True)
class Slot:
    """One place a check can stand in a category's trace (a rule, maybe for one activity)."""

    rule: str
    activity: str | None = None
    provision: str | None = None


@dataclass(frozen=True)
class Legend:
    """What each bit of the compact columns means (stored with Parquet output)."""

    categories: tuple[str, ...]
    slots: Mapping[str, tuple[Slot, ...]]
    provisions: Mapping[str, tuple[str, ...]]
    facts: tuple[str, ...]
    flags: tuple[str, ...]

    def rules(self, category: str, mask: int) -> list[str]:
        """The rule ids a ``reasons_X`` mask names, each once, in trace order."""
        return list(dict.fromkeys(s.rule for s in _bits(self.slots[category], mask)))

    def as_json(self) -> dict[str, Any]:
        return {
            "categories": list(self.categories),
            "reasons": {
                c: [[s.rule, s.activity, s.provision] for s in v] for c, v in self.slots.items()
            },
            "basis": {c: list(v) for c, v in self.provisions.items()},
            "missing": list(self.facts),
            "flags": list(self.flags),
            "status": [s.value for s in STATUS_CODES],
        }


def _bits(items: Sequence[Any], mask: int | None) -> list[Any]:
    return [item for i, item in enumerate(items) if mask and mask >> i & 1]


def _mask(conditions: Sequence[pl.Expr]) -> pl.Expr:
    """A UInt64 with bit ``i`` set where ``conditions[i]`` holds (bits are disjoint: sum is OR)."""
    if not conditions:
        return pl.lit(0, dtype=pl.UInt64)
    return pl.sum_horizontal(
        c.fill_null(False).cast(pl.UInt64) * pl.lit(1 << i, dtype=pl.UInt64)
        for i, c in enumerate(conditions)
    )


def prepare(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Derived facts the rules read: ``trip_days``, the held-visa code, one column per activity."""
    activities = pl.col("activities")
    schema = frame.collect_schema()
    if ACTIVITY_MASK in schema:
        # The fast reader's bitmask: bit i is ACTIVITY_CODES[i].
        def has(code: str) -> pl.Expr:
            return (pl.col(ACTIVITY_MASK) & (1 << ACTIVITY_CODES.index(code))) > 0
    elif schema["activities"] == pl.String:
        # The fast reader's canonical form: codes in contract order joined by ";".
        def has(code: str) -> pl.Expr:
            return activities.str.contains(rf"(?:^|;){code}(?:;|$)")
    else:

        def has(code: str) -> pl.Expr:
            return activities.list.contains(pl.lit(code))

    held = pl.col("holds_visa").str.to_uppercase().str.replace_all(" ", "", literal=True)
    return frame.with_columns(
        ((pl.col("trip_end") - pl.col("trip_start")).dt.total_days() + 1).alias("trip_days"),
        _whole_years(pl.col("overstay_departure"), pl.col("trip_start")).alias(
            "years_since_overstay_departure"
        ),
        pl.when(held == "").then(None).otherwise(held).alias("holds_visa"),
        *(has(code).fill_null(False).alias(activity_column(code)) for code in ACTIVITY_CODES),
    )


def _whole_years(since: pl.Expr, until: pl.Expr) -> pl.Expr:
    """As :func:`visadesk.engine.screen.whole_years`, null when either date is."""

    # Month and day are Int8 in Polars: widen before arithmetic (2 * 100 overflows Int8).
    def month_day(d: pl.Expr) -> pl.Expr:
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before = month_day(until) < month_day(since)
    return until.dt.year().cast(pl.Int64) - since.dt.year().cast(pl.Int64) - before.cast(pl.Int64)


def _r(rule_id: str) -> str:
    return f"__r_{rule_id}"


def _p(provision_id: str) -> str:
    return f"__p_{provision_id}"


@dataclass
class _Plan:
    """Per category: expressions for each activity's outcome and which attempts count."""

    outcome: dict[str, pl.Expr] = field(default_factory=dict)
    counts: dict[tuple[str, int], pl.Expr] = field(default_factory=dict)
    uses: dict[str, pl.Expr] = field(default_factory=dict)


class BatchScreener:
    """Screens whole rosters (Polars frames) as the rules stood on ``as_of``."""

    def __init__(
        self, policy: Policy, *, as_of: dt.date, start_date: dt.date | None = None
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.per_case = Screener(policy, as_of=as_of, start_date=start_date)
        self.start_date = self.per_case.start_date
        self.categories = self.per_case.categories
        self.provisions = provision_index(policy)
        self.ctx = CompileContext(param=lambda name: policy.param(name, as_of))
        self.rules = self._rules()
        facts = sorted(
            {source_fact(f) for r in self.rules.values() if r.test for f in facts_of(r.test)}
        )
        self.legend = Legend(
            categories=tuple(c.id for c in self.categories),
            slots={c.id: self._slots(c) for c in self.categories},
            provisions={c.id: tuple(self._category_provisions(c)) for c in self.categories},
            facts=tuple(facts),
            flags=tuple(f.code for f in policy.flags if self._in_force(f.rule)),
        )
        for name, items in [
            *((f"{c} rule slots", v) for c, v in self.legend.slots.items()),
            ("facts", self.legend.facts),
            ("flags", self.legend.flags),
        ]:
            if len(items) > _BITS:
                raise ValueError(f"{name}: {len(items)} do not fit a {_BITS}-bit mask")

    # -- static plan ---------------------------------------------------------------
    def _in_force(self, rule: Rule) -> bool:
        return rule.effective.contains(self.as_of)

    def _attempts(self, category: Category, activity: str) -> list[str]:
        treatment = category.activities.get(activity)
        if treatment is None or treatment.prohibited_by:
            return []
        return [p for p in treatment.allowed_by if self._in_force(self.provisions[p].rule)]

    def _slots(self, category: Category) -> tuple[Slot, ...]:
        slots = [Slot(r.id) for r in category.requirements if self._in_force(r)]
        for code in ACTIVITY_CODES:
            treatment = category.activities.get(code)
            attempts = self._attempts(category, code)
            if treatment is not None and treatment.prohibited_by:
                slots.append(Slot(treatment.prohibited_by, code))
            elif not attempts:
                slots.append(Slot(category.default_prohibition, code))
            for pid in attempts:
                slots.append(Slot(pid, code, pid))
                slots.extend(
                    Slot(r.id, code, pid)
                    for r in self.provisions[pid].requirements
                    if self._in_force(r)
                )
        return tuple(slots)

    def _rules(self) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        for category in self.categories:
            for rule in category.requirements:
                if self._in_force(rule):
                    rules[rule.id] = rule
            for code in ACTIVITY_CODES:
                for pid in self._attempts(category, code):
                    for rule in self.provisions[pid].requirements:
                        if self._in_force(rule):
                            rules[rule.id] = rule
        return rules

    def _category_provisions(self, category: Category) -> list[str]:
        seen = {pid for code in ACTIVITY_CODES for pid in self._attempts(category, code)}
        return [pid for pid in self.provisions if pid in seen]

    # -- evaluation ------------------------------------------------------------------
    def statuses(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Only the status of each category (what a status-only rules engine computes).

        For comparison in benchmarks: :meth:`screen` adds reasons, missing facts,
        basis, flags, stay coverage, dates and the recommendation.
        """
        lf, _ = self._decide(frame)
        return lf.select(f"status_{c.id}" for c in self.categories)

    def _decide(self, frame: pl.LazyFrame) -> tuple[pl.LazyFrame, dict[str, _Plan]]:
        lf = frame.with_columns(
            compile_expr(r.test, self.ctx).alias(_r(r.id)) for r in self.rules.values() if r.test
        )
        used = sorted(
            {p for c in self.categories for ps in self.legend.provisions[c.id] for p in [ps]}
        )
        lf = lf.with_columns(
            pl.all_horizontal(
                [pl.col(_r(r.id)) for r in self.provisions[pid].requirements if self._in_force(r)]
                or [pl.lit(True)]
            ).alias(_p(pid))
            for pid in used
        )
        plans = {c.id: self._activity_plan(c) for c in self.categories}
        lf = lf.with_columns(
            expr.alias(f"__a_{c.id}_{code}")
            for c in self.categories
            for code, expr in plans[c.id].outcome.items()
        )
        lf = lf.with_columns(self._status(c).alias(f"status_{c.id}") for c in self.categories)
        return lf, plans

    def screen(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Append compact verdict columns to a prepared roster frame (see :func:`prepare`)."""
        lf, plans = self._decide(frame)
        lf = lf.with_columns(
            (plans[c.id].uses[pid] & (pl.col(f"status_{c.id}") == 0)).alias(f"__used_{c.id}_{pid}")
            for c in self.categories
            for pid in self.legend.provisions[c.id]
        )
        columns: list[pl.Expr] = []
        for category in self.categories:
            columns += self._category_columns(category, plans[category.id])
        lf = lf.with_columns(columns).with_columns(
            self._flags(), self._recommendation_key(), self._row_missing()
        )
        return lf.with_columns(self._recommended()).with_columns(
            (pl.col("ready_by") <= pl.col("trip_start")).alias("ready_in_time")
        )

    def _activity_plan(self, category: Category) -> _Plan:
        """Per activity: its outcome, which attempt decides, which attempts' checks count."""
        plan = _Plan()
        uses: dict[str, list[pl.Expr]] = {pid: [] for pid in self._category_provisions(category)}
        for code in ACTIVITY_CODES:
            has = pl.col(activity_column(code))
            attempts = self._attempts(category, code)
            if not attempts:
                plan.outcome[code] = pl.lit(False)
                continue
            values = [pl.col(_p(pid)) for pid in attempts]
            decides = []
            for k, value in enumerate(values):
                earlier = [~v.fill_null(False) for v in values[:k]]
                decides.append(pl.all_horizontal([*earlier, value.fill_null(False)]))
            settled = pl.any_horizontal(decides)
            open_ = pl.any_horizontal([v.is_null() for v in values])
            plan.outcome[code] = (
                pl.when(settled).then(True).when(open_).then(NULL_BOOL).otherwise(False)
            )
            for k, pid in enumerate(attempts):
                counts = decides[k] | (~settled & ((open_ & values[k].is_null()) | ~open_))
                plan.counts[(code, k)] = has & counts
                uses[pid].append(has & decides[k])
        plan.uses = {pid: pl.any_horizontal(e) if e else pl.lit(False) for pid, e in uses.items()}
        return plan

    def _status(self, category: Category) -> pl.Expr:
        parts = [pl.col(_r(r.id)) for r in category.requirements if self._in_force(r)]
        parts += [
            pl.when(pl.col(activity_column(code)))
            .then(pl.col(f"__a_{category.id}_{code}"))
            .otherwise(True)
            for code in ACTIVITY_CODES
        ]
        value = pl.all_horizontal(parts)
        return (
            pl.when(value)
            .then(pl.lit(0, pl.UInt8))
            .when(value.is_null())
            .then(pl.lit(1, pl.UInt8))
            .otherwise(pl.lit(2, pl.UInt8))
        )

    def _slot_parts(self, category: Category, plan: _Plan) -> list[tuple[Slot, pl.Expr, pl.Expr]]:
        """Each slot with its outcome (nullable bool) and whether its check counts on this row."""
        attempt_index = {
            (code, pid): k
            for code in ACTIVITY_CODES
            for k, pid in enumerate(self._attempts(category, code))
        }
        parts = []
        for slot in self.legend.slots[category.id]:
            if slot.activity is None:
                parts.append((slot, pl.col(_r(slot.rule)), pl.lit(True)))
            elif slot.provision is None:
                parts.append((slot, pl.lit(False), pl.col(activity_column(slot.activity))))
            else:
                counts = plan.counts[
                    (slot.activity, attempt_index[(slot.activity, slot.provision)])
                ]
                outcome = (
                    pl.col(_p(slot.rule)) if slot.rule == slot.provision else pl.col(_r(slot.rule))
                )
                parts.append((slot, outcome, counts))
        return parts

    def _category_columns(self, category: Category, plan: _Plan) -> list[pl.Expr]:
        cid = category.id
        status = pl.col(f"status_{cid}")
        eligible, open_, failed = status == 0, status == 1, status == 2
        parts = self._slot_parts(category, plan)
        reasons = [
            counts
            & (
                (eligible & outcome.fill_null(False))
                | (failed & outcome.eq_missing(pl.lit(False)))
                | (open_ & outcome.is_null())
            )
            for _, outcome, counts in parts
        ]
        tested = [
            (test, outcome, counts)
            for slot, outcome, counts in parts
            if slot.rule in self.rules and (test := self.rules[slot.rule].test) is not None
        ]
        missing = []
        for fact in self.legend.facts:
            hits = [
                counts
                & outcome.is_null()
                & pl.any_horizontal(missing_expr(test, read, self.ctx) for read in reads)
                for test, outcome, counts in tested
                if (reads := [f for f in facts_of(test) if source_fact(f) == fact])
            ]
            missing.append(open_ & pl.any_horizontal(hits) if hits else pl.lit(False))
        basis = [pl.col(f"__used_{cid}_{pid}") for pid in self.legend.provisions[cid]]
        in_hand = self._in_hand(category)
        return [
            _mask(reasons).alias(f"reasons_{cid}"),
            _mask(missing).alias(f"missing_{cid}"),
            _mask(basis).alias(f"basis_{cid}"),
            self._stay_covers(category).alias(f"stay_covers_{cid}"),
            in_hand.alias(f"in_hand_{cid}"),
            pl.when(failed)
            .then(pl.lit(None, dtype=pl.Date))
            .when(in_hand)
            .then(pl.lit(self.start_date))
            .otherwise(self._lead_date(category))
            .alias(f"ready_by_{cid}"),
        ]

    def _stay_covers(self, category: Category) -> pl.Expr:
        stay = category.stay
        if stay.extendable and stay.max_total_param is None:
            return pl.col("trip_days").is_not_null()
        name = (
            stay.max_total_param
            if stay.extendable and stay.max_total_param
            else stay.admission_param
        )
        limit = self.policy.param(name, self.as_of)
        return (pl.col("trip_days") <= int(str(limit))).fill_null(False)

    def _in_hand(self, category: Category) -> pl.Expr:
        held = pl.col("holds_visa")
        codes = [held == pl.lit(code) for code in category.held_visa_codes]
        valid = (
            (pl.any_horizontal(codes) if codes else pl.lit(False))
            & (pl.col("visa_expiry") >= pl.col("trip_start"))
        ).fill_null(False)
        if category.held_visa_void_when is None:
            return valid
        # A visa that may be void (true or not yet known) is not in hand.
        void = compile_expr(category.held_visa_void_when, self.ctx)
        return valid & void.eq_missing(pl.lit(False))

    def _lead_date(self, category: Category) -> pl.Expr:
        chain: Any = None
        for path in category.lead_time:
            date = pl.lit(self.per_case.ready_by(path))
            if path.when is None:
                return date if chain is None else chain.otherwise(date)
            cond = compile_expr(path.when, self.ctx).fill_null(False)
            chain = pl.when(cond).then(date) if chain is None else chain.when(cond).then(date)
        last = pl.lit(self.per_case.ready_by(category.lead_time[-1]))
        return chain.otherwise(last) if chain is not None else last

    def _flags(self) -> pl.Expr:
        outcomes = {
            (c.id, code): pl.col(f"__a_{c.id}_{code}")
            for c in self.categories
            for code in ACTIVITY_CODES
        }
        basis = {
            (c.id, pid): pl.col(f"__used_{c.id}_{pid}")
            for c in self.categories
            for pid in self.legend.provisions[c.id]
        }
        ctx = CompileContext(
            self.ctx.param, _Default(outcomes, NULL_BOOL), _Default(basis, pl.lit(False))
        )
        raised = [
            compile_expr(f.when, ctx).fill_null(False)
            for f in self.policy.flags
            if self._in_force(f.rule)
        ]
        return _mask(raised).alias("flags")

    def _recommendation_key(self) -> pl.Expr:
        """ready_by (as days) * 64 + category order of the best candidate; null when none."""
        keys = []
        for order, c in enumerate(self.categories):
            candidate = (
                (pl.col(f"status_{c.id}") == 0)
                & pl.col(f"stay_covers_{c.id}")
                & pl.col(f"ready_by_{c.id}").is_not_null()
            )
            day = pl.col(f"ready_by_{c.id}").cast(pl.Int64)
            keys.append(pl.when(candidate).then(day * 64 + order))
        return pl.min_horizontal(keys).alias("__key")

    def _recommended(self) -> list[pl.Expr]:
        key = pl.col("__key")
        category: Any = pl.when(key.is_null()).then(pl.lit(None, dtype=pl.String))
        for order, c in enumerate(self.categories):
            category = category.when(key % 64 == order).then(pl.lit(c.id))
        return [
            category.otherwise(pl.lit(None, dtype=pl.String)).alias("recommended"),
            (key // 64).cast(pl.Int32).cast(pl.Date).alias("ready_by"),
        ]

    def _row_missing(self) -> pl.Expr:
        masks = [pl.col(f"missing_{c.id}") for c in self.categories]
        if not masks:
            return pl.lit(0, pl.UInt64).alias("missing")
        return functools.reduce(operator.or_, masks).alias("missing")

    # -- output ------------------------------------------------------------------------
    def output_columns(self) -> list[str]:
        """The compact verdict columns, in order."""
        columns = ["recommended", "ready_by", "ready_in_time"]
        for c in self.categories:
            columns += [f"status_{c.id}", f"reasons_{c.id}", f"missing_{c.id}", f"basis_{c.id}"]
            columns += [f"stay_covers_{c.id}", f"in_hand_{c.id}", f"ready_by_{c.id}"]
        return [*columns, "flags", "missing"]

    def results(
        self,
        frame: pl.DataFrame,
        facts: Sequence[Mapping[str, FactValue]],
        rows: Sequence[int | None],
    ) -> Iterator[ScreeningResult]:
        """Expand compact verdict rows into results, for the same output as the per-case engine."""
        severity = {f.code: f.severity for f in self.policy.flags}
        for record, raw, row in zip(frame.iter_rows(named=True), facts, rows, strict=True):
            derived = derive_facts(raw)
            verdicts = {c.id: self._verdict(c, record, derived) for c in self.categories}
            trip_start = derived["trip_start"]
            assert isinstance(trip_start, dt.date)
            yield ScreeningResult(
                worker_id=str(derived.get("worker_id") or ""),
                row=row,
                verdicts=verdicts,
                recommended=record["recommended"],
                flags=tuple(
                    FlagHit(code, severity[code])
                    for code in _bits(self.legend.flags, record["flags"])
                ),
                missing=tuple(_bits(self.legend.facts, record["missing"])),
                as_of=self.as_of,
                start_date=self.start_date,
                trip_start=trip_start,
                policy_version=self.policy.version,
                facts=derived,
            )

    def _verdict(
        self, category: Category, record: Mapping[str, Any], facts: Mapping[str, FactValue]
    ) -> CategoryVerdict:
        cid = category.id
        status = STATUS_CODES[record[f"status_{cid}"]]
        wanted = status.explained_by
        checks = []
        for slot in _bits(self.legend.slots[cid], record[f"reasons_{cid}"]):
            rule = self.policy.rule(slot.rule)
            missing: tuple[str, ...] = ()
            if wanted is Outcome.UNKNOWN and rule.test is not None and slot.rule != slot.provision:
                unknown = evaluate(rule.test, facts, self.per_case.context())[1]
                missing = tuple(sorted({source_fact(m) for m in unknown}))
            checks.append(Check(slot.rule, wanted, (), missing, slot.activity, slot.provision))
        return CategoryVerdict(
            category=cid,
            status=status,
            checks=tuple(checks),
            basis=tuple(_bits(self.legend.provisions[cid], record[f"basis_{cid}"])),
            missing=tuple(_bits(self.legend.facts, record[f"missing_{cid}"])),
            stay_covers=bool(record[f"stay_covers_{cid}"]),
            ready_by=record[f"ready_by_{cid}"],
            in_hand=bool(record[f"in_hand_{cid}"]),
        )


class _Default(dict[tuple[str, str], pl.Expr]):
    def __init__(self, items: Mapping[tuple[str, str], pl.Expr], default: pl.Expr) -> None:
        super().__init__(items)
        self.default = default

    def __missing__(self, key: tuple[str, str]) -> pl.Expr:
        return self.default
