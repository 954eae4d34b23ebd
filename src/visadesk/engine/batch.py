"""The batch engine: the rule plan compiled to Polars, evaluated over whole rosters.

It runs the same :class:`~visadesk.engine.plan.RulePlan` as the per-case
:class:`~visadesk.engine.screen.Screener`, one column per rule, and expresses the
plan's structure (requirements, provisions tried in turn, stay, visa in hand,
lead-time paths) as Polars expressions; a property test holds the two engines to
identical results on random rosters.

Results stay compact: a status code per category, and bitmasks — over the
category's rule slots (which rules decided it), over the facts (which are
missing), over provisions (the legal basis) and over flags. The plan's
:class:`~visadesk.engine.plan.Legend` names every bit; expansion to full results
happens only when results are written for people (:meth:`BatchScreener.results`).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from visadesk.engine.compile import (
    NULL_BOOL,
    CompileContext,
    activity_column,
    compile_expr,
    missing_expr,
)
from visadesk.engine.derived import derive_facts, derived_columns, source_fact
from visadesk.engine.plan import (
    STATUS_CODES,
    CategoryPlan,
    Slot,
    TripContext,
    bits,
    planned_activities,
    rule_plan,
)
from visadesk.engine.result import CategoryVerdict, Check, FlagHit, ScreeningResult, Status
from visadesk.policy.expr import Expr, evaluate, facts_of
from visadesk.policy.model import Policy, Rule
from visadesk.roster.scan import ACTIVITY_MASK
from visadesk.roster.schema import ACTIVITY_CODES, FactValue

__all__ = ["BatchScreener", "prepare"]

_ELIGIBLE, _OPEN, _FAILED = (
    STATUS_CODES.index(s) for s in (Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE)
)


def _mask(conditions: Sequence[pl.Expr]) -> pl.Expr:
    """A UInt64 with bit ``i`` set where ``conditions[i]`` holds (bits are disjoint: sum is OR)."""
    if not conditions:
        return pl.lit(0, dtype=pl.UInt64)
    return pl.sum_horizontal(
        c.fill_null(False).cast(pl.UInt64) * pl.lit(1 << i, dtype=pl.UInt64)
        for i, c in enumerate(conditions)
    )


def prepare(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Derived facts (:mod:`visadesk.engine.derived`) and one column per activity."""
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

    return frame.with_columns(
        *derived_columns(),
        *(has(code).fill_null(False).alias(activity_column(code)) for code in ACTIVITY_CODES),
    )


def _r(rule_id: str) -> str:
    return f"__r_{rule_id}"


def _p(provision_id: str) -> str:
    return f"__p_{provision_id}"


def _a(category: str, code: str) -> str:
    return f"__a_{category}_{code}"


def _lead(category: str) -> str:
    return f"__lead_{category}"


def _first_path(conditions: Sequence[pl.Expr | None], values: Sequence[Any]) -> pl.Expr:
    """As :func:`~visadesk.engine.plan.first_path`: the value of the first path that holds,
    else of the last (``conditions[i]`` is None for a path taken always)."""
    chain: Any = None
    for condition, value in zip(conditions, values, strict=True):
        if condition is None:
            return pl.lit(value) if chain is None else chain.otherwise(pl.lit(value))
        chain = pl.when(condition) if chain is None else chain.when(condition)
        chain = chain.then(pl.lit(value))
    last = pl.lit(values[-1])
    return chain.otherwise(last) if chain is not None else last


class BatchScreener:
    """Screens whole rosters (Polars frames) as the rules stood on ``as_of``."""

    def __init__(
        self, policy: Policy, *, as_of: dt.date, start_date: dt.date | None = None
    ) -> None:
        self.plan = rule_plan(policy, as_of=as_of, start_date=start_date)
        self.policy = policy
        self.as_of = as_of
        self.start_date = self.plan.start_date
        self.legend = self.plan.legend
        self.ctx = CompileContext(param=lambda name: policy.param(name, as_of))

    def _compile(self, expr: Expr) -> pl.Expr:
        return compile_expr(expr, self.ctx)

    # -- evaluation ------------------------------------------------------------------
    def statuses(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Only the status of each category (what a status-only rules engine computes).

        For comparison in benchmarks: :meth:`screen` adds reasons, missing facts,
        basis, flags, stay coverage, dates and the recommendation.
        """
        return self._decide(frame).select(f"status_{c.id}" for c in self.plan.categories)

    def _decide(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """One column per rule, per provision, per category and activity; then the statuses."""
        lf = frame.with_columns(
            self._compile(r.test).alias(_r(r.id)) for r in self.plan.rules.values() if r.test
        )
        attempts = {
            a.provision: a
            for c in self.plan.categories
            for p in c.activities.values()
            for a in p.attempts
        }
        lf = lf.with_columns(
            pl.all_horizontal([pl.col(_r(r.id)) for r in a.requirements] or [pl.lit(True)]).alias(
                _p(pid)
            )
            for pid, a in sorted(attempts.items())
        )
        # The first provision that holds decides: under Kleene logic, any of them.
        lf = lf.with_columns(
            (
                pl.any_horizontal([pl.col(_p(a.provision)) for a in p.attempts])
                if p.attempts
                else pl.lit(False)
            ).alias(_a(c.id, code))
            for c in self.plan.categories
            for code, p in c.activities.items()
        )
        return lf.with_columns(
            self._status(c).alias(f"status_{c.id}") for c in self.plan.categories
        )

    def _status(self, category: CategoryPlan) -> pl.Expr:
        parts = [pl.col(_r(r.id)) for r in category.requirements]
        parts += [
            pl.when(pl.col(activity_column(code)))
            .then(pl.col(_a(category.id, code)))
            .otherwise(True)
            for code in ACTIVITY_CODES
        ]
        value = pl.all_horizontal(parts)
        return (
            pl.when(value)
            .then(pl.lit(_ELIGIBLE, pl.UInt8))
            .when(value.is_null())
            .then(pl.lit(_OPEN, pl.UInt8))
            .otherwise(pl.lit(_FAILED, pl.UInt8))
        )

    def screen(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Append compact verdict columns to a prepared roster frame (see :func:`prepare`)."""
        lf = self._decide(frame)
        lf = lf.with_columns(
            (self._decides(c, pid) & (pl.col(f"status_{c.id}") == _ELIGIBLE)).alias(
                f"__used_{c.id}_{pid}"
            )
            for c in self.plan.categories
            for pid in c.provisions
        )
        columns: list[pl.Expr] = []
        for category in self.plan.categories:
            columns += self._category_columns(category)
        lf = lf.with_columns(columns).with_columns(
            self._flags(), self._recommendation_key(), self._row_missing()
        )
        return lf.with_columns(self._recommended()).with_columns(
            (pl.col("ready_by") <= pl.col("trip_start")).alias("ready_in_time")
        )

    def _decides(self, category: CategoryPlan, provision: str) -> pl.Expr:
        """Whether some planned activity rests on ``provision`` (the first attempt that holds)."""
        hits = [
            pl.col(activity_column(code)) & self._attempt_decides(category, code, k)
            for code, p in category.activities.items()
            for k, a in enumerate(p.attempts)
            if a.provision == provision
        ]
        return pl.any_horizontal(hits) if hits else pl.lit(False)

    def _attempt_decides(self, category: CategoryPlan, code: str, k: int) -> pl.Expr:
        values = [pl.col(_p(a.provision)) for a in category.activities[code].attempts]
        earlier = [~v.fill_null(False) for v in values[:k]]
        return pl.all_horizontal([*earlier, values[k].fill_null(False)])

    def _attempt_counts(self, category: CategoryPlan, code: str, k: int) -> pl.Expr:
        """Whether attempt ``k``'s checks count (are not superseded) on this row."""
        attempts = category.activities[code].attempts
        values = [pl.col(_p(a.provision)) for a in attempts]
        settled = pl.any_horizontal(
            [self._attempt_decides(category, code, i) for i in range(len(attempts))]
        )
        open_ = pl.any_horizontal([v.is_null() for v in values])
        counts = self._attempt_decides(category, code, k) | (
            ~settled & ((open_ & values[k].is_null()) | ~open_)
        )
        return pl.col(activity_column(code)) & counts

    def _slot_parts(self, category: CategoryPlan) -> list[tuple[Slot, pl.Expr, pl.Expr]]:
        """Each slot with its outcome (nullable bool) and whether its check counts on this row."""
        index = {
            (code, a.provision): k
            for code, p in category.activities.items()
            for k, a in enumerate(p.attempts)
        }
        parts = []
        for slot in category.slots:
            if slot.activity is None:
                parts.append((slot, pl.col(_r(slot.rule)), pl.lit(True)))
            elif slot.provision is None:
                parts.append((slot, pl.lit(False), pl.col(activity_column(slot.activity))))
            else:
                counts = self._attempt_counts(
                    category, slot.activity, index[(slot.activity, slot.provision)]
                )
                outcome = (
                    pl.col(_p(slot.rule)) if slot.rule == slot.provision else pl.col(_r(slot.rule))
                )
                parts.append((slot, outcome, counts))
        return parts

    def _category_columns(self, category: CategoryPlan) -> list[pl.Expr]:
        cid = category.id
        status = pl.col(f"status_{cid}")
        eligible, open_, failed = status == _ELIGIBLE, status == _OPEN, status == _FAILED
        parts = self._slot_parts(category)
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
            if slot.rule in self.plan.rules and (test := self.plan.rules[slot.rule].test)
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
        basis = [pl.col(f"__used_{cid}_{pid}") for pid in category.provisions]
        in_hand = self._compile(category.in_hand).fill_null(False)
        conditions = [
            None if p.when is None else self._compile(p.when).fill_null(False)
            for p in category.lead
        ]
        path = _first_path(conditions, list(range(len(category.lead))))
        date = _first_path(conditions, [p.ready_by for p in category.lead])
        return [
            _mask(reasons).alias(f"reasons_{cid}"),
            _mask(missing).alias(f"missing_{cid}"),
            _mask(basis).alias(f"basis_{cid}"),
            self._compile(category.stay_covers).fill_null(False).alias(f"stay_covers_{cid}"),
            in_hand.alias(f"in_hand_{cid}"),
            pl.when(failed)
            .then(pl.lit(None, dtype=pl.Date))
            .when(in_hand)
            .then(pl.lit(self.start_date))
            .otherwise(date)
            .alias(f"ready_by_{cid}"),
            pl.when(failed | in_hand)
            .then(pl.lit(None, dtype=pl.Int32))
            .otherwise(path.cast(pl.Int32))
            .alias(_lead(cid)),
        ]

    def _flags(self) -> pl.Expr:
        outcomes = {
            (c.id, code): pl.col(_a(c.id, code))
            for c in self.plan.categories
            for code in ACTIVITY_CODES
        }
        basis = {
            (c.id, pid): pl.col(f"__used_{c.id}_{pid}")
            for c in self.plan.categories
            for pid in c.provisions
        }
        ctx = CompileContext(
            self.ctx.param, _Default(outcomes, NULL_BOOL), _Default(basis, pl.lit(False))
        )
        raised = [compile_expr(f.when, ctx).fill_null(False) for f in self.plan.flags]
        return _mask(raised).alias("flags")

    def _recommendation_key(self) -> pl.Expr:
        """ready_by (as days) * 64 + category order of the best candidate; null when none."""
        keys = []
        for order, c in enumerate(self.plan.categories):
            candidate = (
                (pl.col(f"status_{c.id}") == _ELIGIBLE)
                & pl.col(f"stay_covers_{c.id}")
                & pl.col(f"ready_by_{c.id}").is_not_null()
            )
            day = pl.col(f"ready_by_{c.id}").cast(pl.Int64)
            keys.append(pl.when(candidate).then(day * 64 + order))
        return pl.min_horizontal(keys).alias("__key")

    def _recommended(self) -> list[pl.Expr]:
        key = pl.col("__key")
        category: Any = pl.when(key.is_null()).then(pl.lit(None, dtype=pl.String))
        for order, c in enumerate(self.plan.categories):
            category = category.when(key % 64 == order).then(pl.lit(c.id))
        return [
            category.otherwise(pl.lit(None, dtype=pl.String)).alias("recommended"),
            (key // 64).cast(pl.Int32).cast(pl.Date).alias("ready_by"),
        ]

    def _row_missing(self) -> pl.Expr:
        masks = [pl.col(f"missing_{c.id}") for c in self.plan.categories]
        if not masks:
            return pl.lit(0, pl.UInt64).alias("missing")
        return functools.reduce(operator.or_, masks).alias("missing")

    # -- output ------------------------------------------------------------------------
    def output_columns(self) -> list[str]:
        """The compact verdict columns, in order."""
        columns = ["recommended", "ready_by", "ready_in_time"]
        for c in self.plan.categories:
            columns += [f"status_{c.id}", f"reasons_{c.id}", f"missing_{c.id}", f"basis_{c.id}"]
            columns += [f"stay_covers_{c.id}", f"in_hand_{c.id}", f"ready_by_{c.id}"]
        return [*columns, "flags", "missing"]

    def result_columns(self) -> list[str]:
        """What :meth:`results` reads: the compact columns, each rule's outcome, the lead path."""
        rules = [_r(rid) for rid in self.plan.rules]
        return [*self.output_columns(), *rules, *(_lead(c.id) for c in self.plan.categories)]

    def results(
        self,
        frame: pl.DataFrame,
        facts: Sequence[Mapping[str, FactValue]],
        rows: Sequence[int | None],
    ) -> Iterator[ScreeningResult]:
        """Expand screened rows (:meth:`result_columns`) into the per-case engine's results."""
        severity = {f.code: f.severity for f in self.plan.flags}
        for record, raw, row in zip(frame.iter_rows(named=True), facts, rows, strict=True):
            derived = derive_facts(raw)
            verdicts = {c.id: self._verdict(c, record, derived) for c in self.plan.categories}
            trip_start = derived["trip_start"]
            assert isinstance(trip_start, dt.date)
            yield ScreeningResult(
                worker_id=str(derived.get("worker_id") or ""),
                row=row,
                verdicts=verdicts,
                recommended=record["recommended"],
                flags=tuple(
                    FlagHit(code, severity[code])
                    for code in bits(self.legend.flags, record["flags"])
                ),
                missing=tuple(bits(self.legend.facts, record["missing"])),
                as_of=self.as_of,
                start_date=self.start_date,
                trip_start=trip_start,
                policy_version=self.policy.version,
                facts=derived,
            )

    def _verdict(
        self, category: CategoryPlan, record: Mapping[str, Any], facts: Mapping[str, FactValue]
    ) -> CategoryVerdict:
        cid = category.id
        ctx = TripContext(self.policy, self.as_of)

        def check(rule: Rule, activity: str | None, provision: str | None) -> Check:
            value = record[_r(rule.id)]
            # Which facts left a rule unknown: the same definition the per-case engine uses.
            missing = (
                evaluate(rule.test, facts, ctx)[1] if value is None and rule.test else frozenset()
            )
            return self.plan.check(
                rule, value, missing, facts, activity=activity, provision=provision
            )

        trace = self.plan.trace(category, planned_activities(facts), check)
        lead = record[_lead(cid)]
        return CategoryVerdict(
            category=cid,
            status=STATUS_CODES[record[f"status_{cid}"]],
            checks=trace.checks,
            basis=tuple(bits(category.provisions, record[f"basis_{cid}"])),
            missing=tuple(bits(self.legend.facts, record[f"missing_{cid}"])),
            stay_covers=bool(record[f"stay_covers_{cid}"]),
            ready_by=record[f"ready_by_{cid}"],
            in_hand=bool(record[f"in_hand_{cid}"]),
            lead_time_note=None if lead is None else category.lead[lead].note,
        )


class _Default(dict[tuple[str, str], pl.Expr]):
    def __init__(self, items: Mapping[tuple[str, str], pl.Expr], default: pl.Expr) -> None:
        super().__init__(items)
        self.default = default

    def __missing__(self, key: tuple[str, str]) -> pl.Expr:
        return self.default
