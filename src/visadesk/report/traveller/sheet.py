"""The traveller sheet's content: :func:`build_sheet` turns one screening result into a
:class:`TravellerSheet` for the status the person travels on.

The sheet holds the status and the provisions it rests on, the trip dates and
the last day the rules allow, what the person may and may not do on site
(:mod:`visadesk.report.traveller.activities`), the documents to carry at the
port of entry (from ``rules/baseline/documents.yaml``), the B-1 annotation and
the notice that this is guidance, not legal advice, in both languages.
Rendering (:mod:`~visadesk.report.traveller.html`,
:mod:`~visadesk.report.traveller.pdf`) only lays it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from visadesk.engine.result import ScreeningResult, Status
from visadesk.i18n import LANGUAGES, normalize_lang, t
from visadesk.policy.documents import Checklist, DocumentItem, load_checklist
from visadesk.policy.load import provision_index
from visadesk.policy.model import Policy, Text
from visadesk.report.contract import ResultRenderer
from visadesk.report.traveller.activities import (
    ActivityGroup,
    SheetActivity,
    group_activities,
    sheet_activities,
)
from visadesk.roster.schema import FactValue

__all__ = ["SheetDocument", "SheetError", "TravellerSheet", "build_sheet", "languages"]


class SheetError(ValueError):
    """A traveller sheet cannot be made for this result; ``message(lang)`` explains why."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        params = dict(self.params)
        if "status" in params:
            params["status"] = t(f"status.{params['status']}", lang)
        return t(f"traveller.error.{self.code}", lang, **params)


@dataclass(frozen=True, slots=True)
class SheetDocument:
    """A document to carry at the port of entry, with its source (``None``: desk procedure)."""

    id: str
    title: Text
    description: Text
    required: bool
    citation: str | None
    verify: str | None = None


@dataclass(frozen=True, slots=True)
class TravellerSheet:
    """Everything the sheet shows, in both languages; rendering only lays it out."""

    name: str
    worker_id: str
    employer: str | None
    project: str | None
    worksite: str | None
    category: str
    category_title: Text
    status: str
    basis: tuple[str, ...]
    basis_titles: tuple[Text, ...]
    basis_text: str | None
    trip_start: dt.date
    trip_end: dt.date
    trip_days: int
    admission_days: int
    last_day: dt.date
    extendable: bool
    stay_source: str
    stay_verify: str | None
    may_do: tuple[SheetActivity, ...]
    may_not_do: tuple[SheetActivity, ...]
    default_rule: str
    default_title: Text
    default_citation: str
    carry: tuple[SheetDocument, ...]
    annotation: Text | None
    notice: Text
    policy_version: str
    as_of: dt.date

    @property
    def ends_after_last_day(self) -> bool:
        """Whether the planned trip runs past the last day the rules allow."""
        return self.trip_end > self.last_day

    @property
    def may_do_groups(self) -> tuple[ActivityGroup, ...]:
        return group_activities(self.may_do)

    @property
    def may_not_do_groups(self) -> tuple[ActivityGroup, ...]:
        return group_activities(self.may_not_do)


# -- building ---------------------------------------------------------------------


def build_sheet(
    result: ScreeningResult,
    policy: Policy,
    category: str | None,
    name: str,
    *,
    checklist: Checklist | None = None,
) -> TravellerSheet:
    """The sheet of one traveller travelling on ``category`` (``None``: the recommended one).

    ``result`` must come from screening under ``policy``, and the status must be
    one the screening found eligible. ``checklist`` defaults to the bundled
    document checklist read against ``policy``. Raises :class:`SheetError`.
    """
    if result.policy_version != policy.version:
        raise SheetError("policy_mismatch", screened=result.policy_version, given=policy.version)
    if checklist is not None and checklist.policy_version != policy.version:
        raise SheetError(
            "checklist_mismatch", checked=checklist.policy_version, given=policy.version
        )
    cid = category or result.recommended
    if cid is None:
        raise SheetError("no_category", worker_id=result.worker_id)
    verdict = result.verdicts.get(cid)
    if verdict is None or cid not in policy.categories:
        raise SheetError("not_screened", worker_id=result.worker_id, category=cid)
    if verdict.status is not Status.ELIGIBLE:
        raise SheetError(
            "not_eligible", worker_id=result.worker_id, category=cid, status=verdict.status.value
        )
    cat = policy.categories[cid]
    day = result.as_of
    renderer = ResultRenderer(policy, day)
    provisions = provision_index(policy)

    order = {p.id: i for c in policy.categories.values() for i, p in enumerate(c.provisions)}
    basis = tuple(sorted(verdict.basis, key=lambda p: -order.get(p, 0)))

    trip_end = result.facts.get("trip_end")
    if not isinstance(trip_end, dt.date):  # roster validation guarantees it
        raise SheetError("not_screened", worker_id=result.worker_id, category=cid)
    stay_value = policy.parameters[cat.stay.admission_param].at(day)
    if stay_value is None:
        raise SheetError("not_screened", worker_id=result.worker_id, category=cid)
    admission = int(str(stay_value.value))

    may_do, may_not_do = sheet_activities(result, policy, cat, verdict, basis)
    default = policy.rule(cat.default_prohibition)
    docs = (checklist or load_checklist(policy)).to_carry(cid, verdict.basis)

    annotation: Text | None = None
    if cat.annotation is not None:
        alone = replace(result, verdicts={cid: verdict})
        en, ko = renderer.annotation(alone, "en"), renderer.annotation(alone, "ko")
        annotation = Text(en, ko) if en and ko else None

    return TravellerSheet(
        name=name,
        worker_id=result.worker_id,
        employer=_str(result.facts.get("employer")),
        project=_str(result.facts.get("project")),
        worksite=_str(result.facts.get("worksite")),
        category=cid,
        category_title=cat.title,
        status=verdict.status.value,
        basis=basis,
        basis_titles=tuple(provisions[p].rule.title for p in basis),
        basis_text=renderer.basis(verdict),
        trip_start=result.trip_start,
        trip_end=trip_end,
        trip_days=(trip_end - result.trip_start).days + 1,
        admission_days=admission,
        # Day 1 is the day of entry, as the engine counts trip_days.
        last_day=result.trip_start + dt.timedelta(days=admission - 1),
        extendable=cat.stay.extendable,
        stay_source=stay_value.source,
        stay_verify=stay_value.verify,
        may_do=may_do,
        may_not_do=may_not_do,
        default_rule=default.id,
        default_title=default.title,
        default_citation=str(default.citation),
        carry=tuple(_document(policy, day, d) for d in docs),
        annotation=annotation,
        notice=policy.notice,
        policy_version=policy.version,
        as_of=day,
    )


def _str(value: FactValue) -> str | None:
    return None if value in (None, "") else str(value)


def _document(policy: Policy, day: dt.date, item: DocumentItem) -> SheetDocument:
    def fill(text: Text) -> Text:
        return Text(policy.format(text, "en", day), policy.format(text, "ko", day))

    return SheetDocument(
        id=item.id,
        title=fill(item.title),
        description=fill(item.description),
        required=item.required,
        citation=item.citation_text,
        verify=item.verify,
    )


def languages(lang: str) -> tuple[str, ...]:
    """The sheet's languages in print order: ``lang`` first, the other alongside."""
    first = normalize_lang(lang)
    return (first, *(other for other in LANGUAGES if other != first))
