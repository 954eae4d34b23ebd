"""What pages show, computed once: traffic lights, labels, explanations, names.

Nothing here writes; every query goes through a ``scope_*`` filter or takes
rows the caller already read through one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import String, case, cast, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from visadesk.desk.crypto import mask
from visadesk.desk.localize import localized
from visadesk.desk.models import Organization, Project, Screening, Trip, User
from visadesk.policy.model import Policy
from visadesk.roster.schema import COLUMN_BY_NAME

__all__ = [
    "LIGHTS",
    "CategoryView",
    "PersonRow",
    "category_label",
    "explanation",
    "fact_label",
    "light_of",
    "light_of_statuses",
    "light_sql",
    "names_of",
    "person_row",
    "project_names",
    "short_category",
]

#: Traffic light per person: green = some status is eligible, amber = none is
#: but some needs information, red = no status is eligible, grey = not screened.
LIGHTS: Final = ("green", "amber", "red", "grey")
_HANGUL: Final = re.compile(r"[가-힣]")


def light_of(screening: Screening | None) -> str:
    return light_of_statuses(screening.statuses if screening is not None else None)


def light_of_statuses(by_category: Mapping[str, Any] | None) -> str:
    if by_category is None:
        return "grey"
    statuses = set(by_category.values())
    if "eligible" in statuses:
        return "green"
    if "needs_info" in statuses:
        return "amber"
    return "red"


def light_sql() -> ColumnElement[str]:
    """:func:`light_of_statuses` as SQL over ``trip`` outer-joined to its ``screening``.

    The statuses are JSON text on every backend (``{"B1": "eligible", ...}``): a status
    is a quoted JSON string, so ``"eligible"`` never matches ``"ineligible"``. The
    literals are rendered inline so the expression can be grouped by on PostgreSQL.
    """
    text = cast(Screening.statuses, String)
    return case(
        (Screening.id.is_(None), literal("grey", literal_execute=True)),
        (text.like('%"eligible"%'), literal("green", literal_execute=True)),
        (text.like('%"needs_info"%'), literal("amber", literal_execute=True)),
        else_=literal("red", literal_execute=True),
    )


def short_category(cid: str) -> str:
    """``B1`` -> ``B-1``, ``L1A`` -> ``L-1A``; ``VWP`` stays."""
    return re.sub(r"^([A-Z])(\d)", r"\1-\2", cid)


def category_label(policy: Policy, cid: str | None, lang: str) -> str:
    if not cid:
        return ""
    category = policy.categories.get(cid)
    return category.title.get(lang) if category else cid


def fact_label(name: str, lang: str) -> str:
    """A roster column as the reader knows it: its Korean header in Korean."""
    column = COLUMN_BY_NAME.get(name)
    if lang == "ko" and column is not None:
        korean = next((a for a in column.aliases if _HANGUL.search(a)), None)
        if korean:
            return korean
    return name


@dataclass(frozen=True)
class CategoryView:
    id: str
    label: str
    short: str
    status: str
    reasons: list[dict[str, Any]]
    missing: list[str]
    basis: str | None
    ready_by: str | None
    stay_covers_trip: bool | None
    recommended: bool


@dataclass(frozen=True)
class Explanation:
    categories: list[CategoryView]
    flags: list[dict[str, Any]]
    missing: list[str]
    recommended: str | None
    ready_by: str | None
    policy_version: str
    as_of: Any


def explanation(
    screening: Screening | None, policy: Policy, lang: str, first: str | None = None
) -> Explanation | None:
    """The stored screening in ``lang``: categories (``first`` first), reasons, flags."""
    if screening is None:
        return None
    result = localized(screening.result, policy, lang, screening.as_of)
    order = list(policy.categories)
    items = sorted(
        result.get("categories", {}).items(),
        key=lambda kv: (
            kv[0] != first,
            kv[0] != result.get("recommended"),
            order.index(kv[0]) if kv[0] in order else len(order),
        ),
    )
    categories = [
        CategoryView(
            id=cid,
            label=category_label(policy, cid, lang),
            short=short_category(cid),
            status=v.get("status", ""),
            reasons=list(v.get("reasons", [])),
            missing=list(v.get("missing", [])),
            basis=v.get("basis"),
            ready_by=v.get("ready_by"),
            stay_covers_trip=v.get("stay_covers_trip"),
            recommended=cid == result.get("recommended"),
        )
        for cid, v in items
    ]
    return Explanation(
        categories=categories,
        flags=list(result.get("flags", [])),
        missing=list(result.get("missing", [])),
        recommended=result.get("recommended"),
        ready_by=result.get("ready_by"),
        policy_version=screening.policy_version,
        as_of=screening.as_of,
    )


@dataclass(frozen=True)
class PersonRow:
    trip_id: int
    worker_id: str
    name: str
    name_ko: str | None
    passport: str | None
    employer: str
    trip_start: Any
    trip_end: Any
    light: str
    recommended: str | None
    statuses: list[tuple[str, str]]
    missing: dict[str, list[str]] = field(default_factory=dict)
    case_id: int | None = None
    case_state: str | None = None
    case_category: str | None = None


def person_row(trip: Trip, policy: Policy, case: tuple[int, str, str] | None = None) -> PersonRow:
    """One person of a batch: masked identity, the light, statuses, missing facts."""
    s = trip.screening
    order = list(policy.categories)
    statuses = sorted(
        (s.statuses.items() if s else ()),
        key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order),
    )
    missing: dict[str, list[str]] = {}
    if s is not None:
        for cid, verdict in s.result.get("categories", {}).items():
            if verdict.get("status") == "needs_info" and verdict.get("missing"):
                missing[cid] = list(verdict["missing"])
    p = trip.person
    return PersonRow(
        trip_id=trip.id,
        worker_id=trip.worker_id,
        name=f"{p.family_name} {p.given_name}".strip(),
        name_ko=p.name_ko,
        passport=mask(p.passport_number),
        employer=str(trip.facts.get("employer") or ""),
        trip_start=trip.trip_start,
        trip_end=trip.trip_end,
        light=light_of(s),
        recommended=s.recommended if s else None,
        statuses=[(str(k), str(v)) for k, v in statuses],
        missing=missing,
        case_id=case[0] if case else None,
        case_state=case[1] if case else None,
        case_category=case[2] if case else None,
    )


def _names(
    session: Session,
    id_col: InstrumentedAttribute[int],
    name_col: InstrumentedAttribute[str],
    ids: Iterable[int],
) -> dict[int, str]:
    """id -> name of the rows with these ids (one query; none for no ids)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(id_col, name_col).where(id_col.in_(wanted)))
    return {r[0]: r[1] for r in rows}


def names_of(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    return _names(session, Organization.id, Organization.name, org_ids)


def user_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    return _names(session, User.id, User.name, user_ids)


def project_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    return _names(session, Project.id, Project.name, ids)
