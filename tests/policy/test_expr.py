"""The condition language: parsing and three-valued (Kleene) evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from visadesk.policy.expr import ExprError, Tri, evaluate, facts_of, params_of, parse_expr


class Ctx:
    def __init__(self, params: dict[str, object] | None = None) -> None:
        self.params = params or {}

    def param(self, name: str) -> object:
        return self.params[name]

    def activity_outcome(self, category: str, activity: str) -> Tri:
        return {("B1", "construction_work"): False, ("VWP", "construction_work"): False}.get(
            (category, activity), True
        )

    def basis(self, category: str) -> Sequence[str]:
        return ("B1.in_lieu_of_h",) if category == "B1" else ()


def ev(raw: object, **facts: object) -> tuple[Tri, frozenset[str]]:
    return evaluate(parse_expr(raw), facts, Ctx({"limit": 90, "countries": ("KR", "JP")}))


def test_unknown_fact_is_unknown_and_named() -> None:
    assert ev({"fact": "contract_requires_service", "is": True}) == (
        None,
        frozenset({"contract_requires_service"}),
    )


def test_all_is_false_as_soon_as_one_part_is_false_even_with_unknowns() -> None:
    expr = {"all": [{"fact": "a", "is": True}, {"fact": "b", "is": True}]}
    assert ev(expr, a=False) == (False, frozenset())
    assert ev(expr, a=True) == (None, frozenset({"b"}))
    assert ev(expr, a=True, b=True) == (True, frozenset())


def test_any_is_true_as_soon_as_one_part_is_true() -> None:
    expr = {
        "any": [
            {"fact": "role", "in": ["executive", "manager"]},
            {"fact": "essential_skills", "is": True},
        ]
    }
    assert ev(expr, role="manager") == (True, frozenset())
    assert ev(expr, role="technician") == (None, frozenset({"essential_skills"}))
    assert ev(expr, role="technician", essential_skills=False) == (False, frozenset())


def test_not_keeps_unknown() -> None:
    assert ev({"not": {"fact": "x", "is": True}}) == (None, frozenset({"x"}))
    assert ev({"not": {"fact": "x", "is": True}}, x=False) == (True, frozenset())


def test_parameters_and_boundaries() -> None:
    assert ev({"fact": "trip_days", "lte": {"param": "limit"}}, trip_days=90)[0] is True
    assert ev({"fact": "trip_days", "lte": {"param": "limit"}}, trip_days=91)[0] is False
    assert ev({"fact": "nationality", "in": {"param": "countries"}}, nationality="JP")[0] is True
    assert ev({"fact": "nationality", "in": {"param": "countries"}}, nationality="VN")[0] is False


def test_fact_to_fact_comparisons() -> None:
    expr = {"fact": "visa_expiry", "lt_fact": "trip_end"}
    assert ev(expr, visa_expiry=dt.date(2026, 1, 1), trip_end=dt.date(2026, 2, 1))[0] is True
    assert ev(expr, trip_end=dt.date(2026, 2, 1)) == (None, frozenset({"visa_expiry"}))
    assert ev({"fact": "employer", "ne_fact": "sponsor"}, employer="A", sponsor="A")[0] is False


def test_list_operators() -> None:
    acts = ("install_equipment", "meetings")
    assert ev({"fact": "activities", "has": "meetings"}, activities=acts)[0] is True
    assert ev({"fact": "activities", "has_any": ["production_work"]}, activities=acts)[0] is False
    assert ev({"fact": "activities", "has_none": ["construction_work"]}, activities=acts)[0] is True


def test_known_is_never_unknown() -> None:
    assert ev({"fact": "holds_visa", "known": False}) == (True, frozenset())
    assert ev({"fact": "holds_visa", "known": True}, holds_visa="B1") == (True, frozenset())


def test_context_conditions() -> None:
    assert ev({"activities_outside": ["VWP", "B1"]}, activities=("construction_work",))[0] is True
    assert ev({"activities_outside": ["VWP", "B1"]}, activities=("meetings",))[0] is False
    assert ev({"basis_used": {"category": "B1", "provision": "B1.in_lieu_of_h"}})[0] is True


@pytest.mark.parametrize(
    "raw",
    [
        "not a mapping",
        {"fact": "x", "equals": 1},
        {"all": []},
        {"fact": "x", "in": {"parameter": "p"}},
        {"activities_outside": "VWP"},
        {"fact": 3, "is": True},
    ],
)
def test_malformed_conditions_are_refused(raw: object) -> None:
    with pytest.raises(ExprError):
        parse_expr(raw)


def test_facts_and_params_read() -> None:
    expr = parse_expr(
        {"all": [{"fact": "a", "gte": {"param": "p"}}, {"not": {"fact": "b", "eq_fact": "c"}}]}
    )
    assert facts_of(expr) == {"a", "b", "c"}
    assert params_of(expr) == {"p"}
