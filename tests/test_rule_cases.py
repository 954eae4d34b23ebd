"""Rule cases as data, in the spirit of OpenFisca's YAML tests.

Every file in ``tests/cases/`` (except ``_base.yaml``) holds cases: facts that
override the base profile in ``_base.yaml``, the date the rules are read at, and
what the screening must give. The expected values are written from the rule
files and the legal reference, not from engine output; a case where the engine
disagrees with them carries ``xfail: "why"`` and must really fail (strict xfail).

A case file::

    category: B1              # the verdict the cases assert (absent in flags.yaml, recommend.yaml)
    policy: baseline          # or baseline+e4
    cases:
      - name: installer with the contract clause is B-1 under (E)(1)
        as_of: 2026-06-01     # the rules in force that day (required)
        start_date: 2026-06-01  # optional: the day `ready_by` counts from (default: as_of)
        facts: {activities: [install_equipment], contract_requires_service: true}
        expect:
          status: eligible
          reasons: [B1.stay_limit, ...]     # the exact set of deciding rule ids
          citations: ["9 FAM 402.2-5(E)(1)", ...]  # the exact set of their citations
          basis: "9 FAM 402.2-5(E)(1)"      # optional; null when no basis is printed
          missing: [...]                    # exact; required when status is needs_info
          flags: [...]                      # optional (required in flags.yaml): exact set
          recommended: B1                   # optional; null allowed
          ready_by: 2026-06-24              # optional; null allowed
          in_hand: false                    # optional
          stay_covers: true                 # optional

``status``, ``reasons``, ``citations``, ``basis``, ``missing``, ``in_hand``,
``stay_covers`` and ``ready_by`` describe the verdict of the file's category. A
file without a category (recommend.yaml, flags.yaml) may name one per case
(``category: B1``); otherwise ``ready_by`` and ``in_hand`` describe the
recommended status. ``recommended`` and ``flags`` describe the whole row.

Optional case keys: ``xfail: "reason"`` (a known engine/rule disagreement),
``near_miss: FLAG`` (flags.yaml: the facts come close to raising FLAG but must
not), ``unlisted_activities: true`` (the case deliberately uses an activity code
outside the roster vocabulary, to reach a category's default prohibition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from visadesk.engine import CategoryVerdict, IncompleteTripError, Screener, ScreeningResult, Status
from visadesk.policy.expr import AnyOf, Expr, Known, facts_of
from visadesk.policy.load import RuleLoader, load_policy
from visadesk.policy.model import Category, Policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster.schema import ACTIVITY_CODES, COLUMN_BY_NAME, COLUMNS, ColumnType, FactValue

CASES_DIR = Path(__file__).parent / "cases"
BASE_FILE = CASES_DIR / "_base.yaml"
POLICY_SPECS = ("baseline", "baseline+e4")

CATEGORY_KEYS = frozenset(
    {"status", "reasons", "citations", "basis", "missing", "in_hand", "stay_covers"}
)
ROW_KEYS = frozenset({"flags", "recommended", "ready_by"})
EXPECT_KEYS = CATEGORY_KEYS | ROW_KEYS | {"refused"}
CASE_KEYS = frozenset(
    {
        "name",
        "as_of",
        "start_date",
        "facts",
        "expect",
        "xfail",
        "category",
        "near_miss",
        "unlisted_activities",
    }
)
FILE_KEYS = frozenset({"category", "policy", "cases"})
STATUSES = frozenset(s.value for s in Status)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass


# -- policies (loaded once per spec) -------------------------------------------------


@cache
def _policy(spec: str) -> Policy:
    return load_policy(spec)


def _rule_ids(category: Category) -> Iterator[str]:
    """Every requirement, provision (and its requirements) and prohibition of a category."""
    for rule in category.requirements:
        yield rule.id
    for provision in category.provisions:
        yield provision.id
        for rule in provision.requirements:
            yield rule.id
    for rule in category.prohibitions:
        yield rule.id


def _categories() -> dict[str, Category]:
    out: dict[str, Category] = {}
    for spec in POLICY_SPECS:
        out.update(_policy(spec).categories)
    return out


# -- facts ---------------------------------------------------------------------------


def _date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError(f"{what}: {value!r} is a timestamp, not a date")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"{what}: {value!r} is not a date")


_PYTHON_TYPES: Mapping[ColumnType, tuple[type, ...]] = {
    ColumnType.BOOL: (bool,),
    ColumnType.INT: (int,),
    ColumnType.NUMBER: (int, float),
}


def _activities(value: object, *, unlisted_activities: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"activities: {value!r} is not a list of activity codes")
    unknown = [v for v in value if v not in ACTIVITY_CODES]
    if unknown and not unlisted_activities:
        raise ValueError(f"unknown activity codes {unknown} (set unlisted_activities: true)")
    return tuple(value)


def _fact(name: str, value: object, *, unlisted_activities: bool) -> FactValue:
    """A YAML value as the engine sees the fact: dates, bools, tuples of codes."""
    column = COLUMN_BY_NAME.get(name)
    if column is None:
        raise KeyError(f"unknown fact {name!r} (derived facts such as trip_days are computed)")
    if value is None:
        return None
    if column.type is ColumnType.DATE:
        return _date(value, name)
    if column.type is ColumnType.ACTIVITIES:
        return _activities(value, unlisted_activities=unlisted_activities)
    types = _PYTHON_TYPES.get(column.type, (str,))
    if isinstance(value, bool) != (column.type is ColumnType.BOOL) or not isinstance(value, types):
        raise TypeError(f"{name}: {value!r} is not {column.type.value}")
    if column.choices and value not in column.choices:
        raise ValueError(f"{name}: {value!r} is not one of {column.choices}")
    return cast(FactValue, value)


def _facts(raw: object, *, unlisted_activities: bool = False) -> dict[str, FactValue]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"facts must be a mapping, got {raw!r}")
    return {
        str(k): _fact(str(k), v, unlisted_activities=unlisted_activities) for k, v in raw.items()
    }


@cache
def _base_facts() -> Mapping[str, FactValue]:
    data = _read_yaml(BASE_FILE)
    return _facts(data["facts"])


# -- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    policy: str
    category: str | None
    as_of: dt.date
    start_date: dt.date | None
    own_facts: Mapping[str, FactValue]
    facts: Mapping[str, FactValue]
    expect: Mapping[str, Any]
    xfail: str | None
    near_miss: str | None

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def _check_expect(
    where: str, file: str, file_category: object, category: object, expect: Mapping[str, Any]
) -> None:
    if unknown := set(expect) - EXPECT_KEYS:
        raise ValueError(f"{where}: unknown expect keys {sorted(unknown)}")
    if "refused" in expect:
        if set(expect) != {"refused"} or not expect["refused"]:
            raise ValueError(f"{where}: refused (the blank required facts) stands alone")
        return
    if category is None:
        if used := set(expect) & (CATEGORY_KEYS - {"in_hand"}):
            raise ValueError(f"{where}: {sorted(used)} need a category")
    elif expect.get("status") not in STATUSES:
        raise ValueError(f"{where}: status is required, one of {sorted(STATUSES)}")
    elif file_category is not None and not {"reasons", "citations"} <= set(expect):
        raise ValueError(f"{where}: reasons and citations are required")
    elif expect["status"] == Status.NEEDS_INFO.value and "missing" not in expect:
        raise ValueError(f"{where}: missing is required when status is needs_info")
    if file == "flags.yaml" and "flags" not in expect:
        raise ValueError(f"{where}: flags is required in flags.yaml")


def _case(file: str, data: Mapping[str, Any], raw: Mapping[str, Any]) -> Case:
    name = str(raw.get("name") or "")
    where = f"{file}::{name or '?'}"
    if not name or "as_of" not in raw:
        raise ValueError(f"{where}: a case needs a name and as_of")
    if unknown := set(raw) - CASE_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    expect = raw.get("expect")
    if not isinstance(expect, Mapping) or not expect:
        raise ValueError(f"{where}: expect is required")
    file_category = data.get("category")
    if file_category is not None and "category" in raw:
        raise ValueError(f"{where}: only files without a category may name one per case")
    category = raw.get("category", file_category)
    _check_expect(where, file, file_category, category, expect)
    near_miss = raw.get("near_miss")
    if near_miss is not None and near_miss in (expect.get("flags") or ()):
        raise ValueError(f"{where}: a near miss of {near_miss} cannot expect it to fire")
    own = _facts(raw.get("facts") or {}, unlisted_activities=bool(raw.get("unlisted_activities")))
    start = raw.get("start_date")
    xfail = raw.get("xfail")
    return Case(
        file=file,
        name=name,
        policy=str(data.get("policy") or "baseline"),
        category=str(category) if category is not None else None,
        as_of=_date(raw["as_of"], f"{where} as_of"),
        start_date=_date(start, f"{where} start_date") if start is not None else None,
        own_facts=own,
        facts={**_base_facts(), **own},
        expect=expect,
        xfail=str(xfail) if xfail else None,
        near_miss=str(near_miss) if near_miss else None,
    )


@cache
def _all_cases() -> tuple[Case, ...]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = _read_yaml(path)
        if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
            raise ValueError(f"{path.name}: needs a list of cases")
        if unknown := set(data) - FILE_KEYS:
            raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
        cases.extend(_case(path.name, data, raw) for raw in data["cases"])
    return tuple(cases)


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else [],
        )
        for case in _all_cases()
    ]


# -- running one case ------------------------------------------------------------------


def _screen(case: Case) -> ScreeningResult:
    screener = Screener(_policy(case.policy), as_of=case.as_of, start_date=case.start_date)
    return screener.screen(case.facts)


def _date_or_none(value: object) -> dt.date | None:
    return None if value is None else _date(value, "ready_by")


def _expected(expect: Mapping[str, Any]) -> dict[str, object]:
    """The expectations in comparable form: sets for the unordered lists."""
    out: dict[str, object] = {}
    for key, value in expect.items():
        if key in ("reasons", "citations", "missing", "flags"):
            out[key] = set(value or ())
        elif key == "ready_by":
            out[key] = _date_or_none(value)
        else:
            out[key] = value
    return out


def _verdict_actual(
    keys: set[str], verdict: CategoryVerdict, renderer: ResultRenderer
) -> dict[str, object]:
    rendered = renderer.category(verdict)
    deciding = [c.rule for c in verdict.deciding()]
    # The rendered reasons are the deciding checks, in order: the citations below are theirs.
    assert [r["rule"] for r in rendered["reasons"]] == deciding
    actual: dict[str, object] = {
        "status": verdict.status.value,
        "reasons": set(deciding),
        "citations": {r["citation"] for r in rendered["reasons"]},
        "basis": rendered.get("basis"),
        "missing": set(verdict.missing),
        "in_hand": verdict.in_hand,
        "stay_covers": verdict.stay_covers,
        "ready_by": verdict.ready_by,
    }
    if verdict.status is Status.NEEDS_INFO:
        assert set(rendered["missing"]) == set(verdict.missing)
    return {k: v for k, v in actual.items() if k in keys}


@pytest.mark.parametrize("case", _params())
def test_rule_case(case: Case) -> None:
    policy = _policy(case.policy)
    if "refused" in case.expect:
        with pytest.raises(IncompleteTripError) as info:
            _screen(case)
        assert set(info.value.missing) == set(case.expect["refused"])
        return
    result = _screen(case)
    expected = _expected(case.expect)
    keys = set(expected)
    actual: dict[str, object] = {}
    if case.category is not None:
        verdict = result.verdicts[case.category]
        actual.update(_verdict_actual(keys, verdict, ResultRenderer(policy, case.as_of)))
    else:
        if "ready_by" in keys:
            actual["ready_by"] = result.ready_by
        if "in_hand" in keys:
            assert result.recommended is not None, "in_hand needs a recommended status"
            actual["in_hand"] = result.verdicts[result.recommended].in_hand
    if "flags" in keys:
        actual["flags"] = {f.code for f in result.flags}
    if "recommended" in keys:
        actual["recommended"] = result.recommended
    assert actual == expected


# -- the case files themselves -----------------------------------------------------------


def test_base_profile_is_complete_and_clean() -> None:
    base = _base_facts()
    assert set(base) == {c.name for c in COLUMNS}, "the base profile gives every roster column"
    for column in COLUMNS:
        if column.type is ColumnType.BOOL:
            assert base[column.name] is not None, f"{column.name} is known in the base profile"
    result = Screener(_policy("baseline"), as_of=dt.date(2026, 6, 1)).screen(base)
    assert result.flags == ()
    assert result.verdicts["VWP"].status is Status.ELIGIBLE
    assert result.verdicts["B1"].status is Status.ELIGIBLE


def test_case_names_are_unique() -> None:
    ids = [c.id for c in _all_cases()]
    assert len(ids) == len(set(ids))


def test_every_category_has_its_case_file() -> None:
    files = {c.file for c in _all_cases()}
    assert {f"{cid}.yaml" for cid in _categories()} | {"flags.yaml", "recommend.yaml"} <= files
    for case in _all_cases():
        if case.file not in ("flags.yaml", "recommend.yaml"):
            assert case.file == f"{case.category}.yaml", case.id
        assert case.category is None or case.category in _policy(case.policy).categories


# -- coverage -----------------------------------------------------------------------------

#: Rules no case can reach, each a defect reported against the rule files. The coverage
#: tests for them are strict xfails: they start failing once a case can cite the rule.
UNREACHABLE: Mapping[str, str] = {}


def _expected_reasons(status: str | None = None) -> frozenset[str]:
    return frozenset(
        rule
        for case in _all_cases()
        if status is None or case.expect.get("status") == status
        for rule in case.expect.get("reasons") or ()
    )


def _coverage_params(ids: set[str]) -> list[Any]:
    return [
        pytest.param(
            rid,
            id=rid,
            marks=[pytest.mark.xfail(reason=UNREACHABLE[rid], strict=True)]
            if rid in UNREACHABLE
            else [],
        )
        for rid in sorted(ids)
    ]


def _all_rule_ids() -> set[str]:
    return {rid for category in _categories().values() for rid in _rule_ids(category)}


def _rules_that_can_fail() -> set[str]:
    """Requirements, prohibitions, and provisions that have requirements."""
    out: set[str] = set()
    for category in _categories().values():
        out.update(r.id for r in category.requirements)
        out.update(r.id for r in category.prohibitions)
        for provision in category.provisions:
            out.update(r.id for r in provision.requirements)
            if provision.requirements:
                out.add(provision.id)
    return out


def _requirements_that_can_be_unknown() -> set[str]:
    """Requirements on a fact that may be blank.

    Requirements that read only facts the roster requires (and ``trip_days``, made
    from the required trip dates) cannot be unknown: a trip without them is refused.
    """
    required = {c.name for c in COLUMNS if c.required} | {"trip_days"}
    out: set[str] = set()
    for category in _categories().values():
        rules = [*category.requirements, *(r for p in category.provisions for r in p.requirements)]
        out.update(
            r.id
            for r in rules
            if r.test is not None and not facts_of(r.test) <= required and not _blank_passes(r.test)
        )
    return out


def _blank_passes(test: Expr) -> bool:
    """``any: [{fact: F, known: false}, ...about F]``: a blank F passes, so it is never unknown."""
    return (
        isinstance(test, AnyOf)
        and len(facts_of(test)) == 1
        and any(isinstance(i, Known) and not i.expected for i in test.items)
    )


def _flag_codes() -> set[str]:
    return {f.code for spec in POLICY_SPECS for f in _policy(spec).flags}


def _single_activity(case: Case) -> str | None:
    activities = case.own_facts.get("activities")
    if isinstance(activities, tuple) and len(activities) == 1:
        return activities[0]
    return None


@pytest.mark.parametrize("rule_id", _coverage_params(_all_rule_ids()))
def test_rule_has_a_case(rule_id: str) -> None:
    """Every requirement, provision and prohibition is among some case's expected reasons."""
    assert rule_id in _expected_reasons()


@pytest.mark.parametrize("rule_id", _coverage_params(_rules_that_can_fail()))
def test_rule_fails_in_some_case(rule_id: str) -> None:
    assert rule_id in _expected_reasons(Status.INELIGIBLE.value)


@pytest.mark.parametrize("rule_id", _coverage_params(_requirements_that_can_be_unknown()))
def test_requirement_is_unknown_in_some_case(rule_id: str) -> None:
    """A blank fact leaves the requirement open (needs_info) in some case."""
    assert rule_id in _expected_reasons(Status.NEEDS_INFO.value)


@pytest.mark.parametrize("code", sorted(_flag_codes()))
def test_flag_fires_in_some_case(code: str) -> None:
    assert any(code in (case.expect.get("flags") or ()) for case in _all_cases())


@pytest.mark.parametrize("code", sorted(_flag_codes()))
def test_flag_has_a_near_miss(code: str) -> None:
    assert any(c.file == "flags.yaml" and c.near_miss == code for c in _all_cases())


def test_near_misses_name_flags() -> None:
    assert {c.near_miss for c in _all_cases() if c.near_miss} <= _flag_codes()


@pytest.mark.parametrize(
    ("category", "activity"),
    [(cid, code) for cid in _categories() for code in ACTIVITY_CODES],
)
def test_activity_has_a_case(category: str, activity: str) -> None:
    """Each (activity, category) treatment has a case whose activities are exactly that one."""
    assert any(c.category == category and _single_activity(c) == activity for c in _all_cases())


def test_unreachable_rules_exist() -> None:
    assert set(UNREACHABLE) <= _all_rule_ids()
