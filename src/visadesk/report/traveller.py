"""The traveller sheet: one printable page a traveller carries, in English and Korean.

:func:`build_sheet` turns one :class:`~visadesk.engine.result.ScreeningResult`
into a :class:`TravellerSheet` for the status the person travels on: the status
and the provisions it rests on, the trip dates and the last day the rules
allow, what the person may and may not do on site, the documents to carry at
the port of entry (from ``rules/baseline/documents.yaml``), the B-1 annotation
and the notice that this is guidance, not legal advice. Everything legal comes
from the policy; every other word a reader sees comes from the message
catalogs (``locales/*/documents.po``).

:func:`render_html` prints it with a Jinja2 template (A4, ``@media print``);
:func:`render_pdf` with reportlab, using reportlab's built-in Korean CID font
so Korean renders without shipping font files. Both are bilingual: the chosen
language first, the other alongside, because border officers read English and
the traveller reads Korean.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Final, Literal
from xml.sax.saxutils import escape

import jinja2
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from visadesk.engine.result import CategoryVerdict, Outcome, ScreeningResult, Status
from visadesk.engine.screen import Screener
from visadesk.i18n import LANGUAGES, normalize_lang, t
from visadesk.policy.documents import Checklist, DocumentItem, load_checklist
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, Policy, Text
from visadesk.report.contract import ResultRenderer
from visadesk.roster.schema import ACTIVITY_CODES, FactValue

__all__ = [
    "ActivityGroup",
    "SheetActivity",
    "SheetDocument",
    "SheetError",
    "TravellerSheet",
    "build_sheet",
    "group_activities",
    "render_html",
    "render_pdf",
]

#: reportlab's built-in Korean CID font (no font file shipped).
KOREAN_FONT: Final = "HYGothic-Medium"
LATIN_FONT: Final = "Helvetica"
LATIN_BOLD: Final = "Helvetica-Bold"


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
class SheetActivity:
    """One activity code and how the travel status treats it for this person.

    ``allowed``: a provision the trip rests on covers it (``rules`` holds that
    provision). ``prohibited``: the status rules it out (``rules`` holds the
    prohibition). ``conditional``: only a provision this trip's screening did
    not establish could cover it (``rules`` holds those provisions).
    """

    code: str
    kind: Literal["allowed", "prohibited", "conditional"]
    planned: bool
    rules: tuple[str, ...]
    titles: tuple[Text, ...]
    citation: str

    def title(self, lang: str) -> str:
        return "; ".join(x.get(lang) for x in self.titles)


@dataclass(frozen=True, slots=True)
class ActivityGroup:
    """Activities treated alike (same kind, same rules), shown as one line of the sheet."""

    kind: Literal["allowed", "prohibited", "conditional"]
    rules: tuple[str, ...]
    titles: tuple[Text, ...]
    citation: str
    activities: tuple[SheetActivity, ...]

    def title(self, lang: str) -> str:
        return "; ".join(x.get(lang) for x in self.titles)


def group_activities(items: Sequence[SheetActivity]) -> tuple[ActivityGroup, ...]:
    """``items`` grouped by kind and rules, in order of first appearance."""
    groups: dict[tuple[str, tuple[str, ...]], list[SheetActivity]] = {}
    for item in items:
        groups.setdefault((item.kind, item.rules), []).append(item)
    return tuple(
        ActivityGroup(g[0].kind, g[0].rules, g[0].titles, g[0].citation, tuple(g))
        for g in groups.values()
    )


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

    may_do, may_not_do = _activities(result, policy, cat, verdict, basis)
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


def _planned(facts: dict[str, FactValue]) -> tuple[str, ...]:
    value = facts.get("activities")
    if isinstance(value, str):
        return tuple(a for a in value.split(";") if a)
    return tuple(value) if isinstance(value, tuple) else ()


def _decided(verdict: CategoryVerdict) -> dict[str, str]:
    """Activity code -> the provision that decided it, as the engine recorded it."""
    return {
        c.activity: c.provision
        for c in verdict.checks
        if c.activity
        and c.provision
        and c.rule == c.provision
        and c.outcome is Outcome.PASS
        and not c.superseded
    }


def _activities(
    result: ScreeningResult,
    policy: Policy,
    cat: Category,
    verdict: CategoryVerdict,
    basis: Sequence[str],
) -> tuple[tuple[SheetActivity, ...], tuple[SheetActivity, ...]]:
    """What the person may do and may not do, from the rule data and the engine.

    A planned activity is allowed on the provision the engine found for it. Any
    other activity is allowed only when the engine, screening the same trip
    with that activity added, still finds the status eligible and covers the
    activity with a provision the trip already rests on, or with one that has
    no conditions and no high-risk mark (general business activities).
    Activities the status prohibits cite the prohibition; the rest would need a
    provision this trip did not establish, and the sheet says to ask the desk.
    """
    provisions = provision_index(policy)
    planned = _planned(result.facts)
    decided = _decided(verdict)
    screener: Screener | None = None
    allowed: list[SheetActivity] = []
    refused: list[SheetActivity] = []

    def allow(code: str, provision_id: str, is_planned: bool) -> SheetActivity:
        p = provisions[provision_id]
        return SheetActivity(code, "allowed", is_planned, (p.id,), (p.rule.title,), p.basis)

    def prohibit(code: str, rule_id: str) -> SheetActivity:
        rule = policy.rule(rule_id)
        return SheetActivity(
            code, "prohibited", False, (rule.id,), (rule.title,), str(rule.citation)
        )

    def covered(provision_id: str) -> bool:
        """A provision the trip rests on, or one without conditions (general business)."""
        p = provisions[provision_id]
        if provision_id in basis:
            return True
        conditions = [r for r in p.requirements if r.effective.contains(result.as_of)]
        return not p.high_risk and not conditions

    codes = [*planned, *(c for c in ACTIVITY_CODES if c not in planned)]
    for code in codes:
        if code in planned:
            allowed.append(allow(code, decided[code], True))
            continue
        treatment = cat.activities.get(code)
        if treatment is None or treatment.prohibited_by:
            rule_id = treatment.prohibited_by if treatment else None
            refused.append(prohibit(code, rule_id or cat.default_prohibition))
            continue
        in_force = [
            p for p in treatment.allowed_by if provisions[p].rule.effective.contains(result.as_of)
        ]
        if not in_force:
            refused.append(prohibit(code, cat.default_prohibition))
            continue
        if any(covered(p) for p in in_force):
            if screener is None:
                screener = Screener(policy, as_of=result.as_of, start_date=result.start_date)
            facts = {**result.facts, "activities": (*planned, code)}
            again = screener.screen(facts).verdicts[cat.id]
            provision = _decided(again).get(code)
            if again.status is Status.ELIGIBLE and provision and covered(provision):
                allowed.append(allow(code, provision, False))
                continue
        refused.append(
            SheetActivity(
                code,
                "conditional",
                False,
                tuple(in_force),
                tuple(provisions[p].rule.title for p in in_force),
                "; ".join(dict.fromkeys(provisions[p].basis for p in in_force)),
            )
        )
    return tuple(allowed), tuple(refused)


# -- HTML -------------------------------------------------------------------------


def _langs(lang: str) -> tuple[str, ...]:
    first = normalize_lang(lang)
    return (first, *(other for other in LANGUAGES if other != first))


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("visadesk", "report/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(sheet: TravellerSheet, lang: str = "en") -> str:
    """The sheet as one printable HTML page: ``lang`` first, the other language alongside."""
    template = _environment().get_template("traveller.html")
    return template.render(sheet=sheet, langs=_langs(lang), t=t)


# -- PDF --------------------------------------------------------------------------

_NON_LATIN = re.compile(r"[^\u0000-\u024f\u2000-\u206f]")


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_FONT))


class _Pdf:
    """Builds the flowables of one sheet at one font size."""

    def __init__(self, sheet: TravellerSheet, langs: tuple[str, ...], size: float) -> None:
        self.sheet = sheet
        self.langs = langs
        self.size = size
        self.width = A4[0] - 24 * mm

    def style(
        self, text: str, *, bold: bool = False, scale: float = 1.0, grey: bool = False
    ) -> ParagraphStyle:
        latin = LATIN_BOLD if bold else LATIN_FONT
        font = KOREAN_FONT if _NON_LATIN.search(text) else latin
        size = self.size * scale
        return ParagraphStyle(
            "sheet",
            fontName=font,
            fontSize=size,
            leading=size * 1.25,
            alignment=TA_LEFT,
            textColor=colors.HexColor("#555555") if grey else colors.black,
        )

    def para(self, text: str, **kw: Any) -> Paragraph:
        style = self.style(text, **kw)
        if style.fontName == KOREAN_FONT:
            # The UniKS-UCS2-H CMap has no U+00B7; the Katakana middle dot is the same mark.
            text = text.replace("\u00b7", "\u30fb")
        return Paragraph(escape(text), style)

    def both(self, key: str, **params: object) -> list[Flowable]:
        """One catalog message in each language, the first language first."""
        return [self.para(t(key, lang, **params), grey=i > 0) for i, lang in enumerate(self.langs)]

    def text2(self, text: Text) -> list[Flowable]:
        return [self.para(text.get(lang), grey=i > 0) for i, lang in enumerate(self.langs)]

    def heading(self, key: str) -> Table:
        cells = [
            self.para(t(key, lang), bold=True, scale=1.2, grey=i > 0)
            for i, lang in enumerate(self.langs)
        ]
        table = Table([cells], colWidths=[self.width / 2] * 2)
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def grid(self, rows: list[list[Any]], widths: Sequence[float]) -> Table:
        table = Table(rows, colWidths=[w * self.width for w in widths])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ]
            )
        )
        return table

    def group_cell(self, g: ActivityGroup, lang: str, grey: bool) -> list[Flowable]:
        if g.kind == "conditional":
            head = t("traveller.conditional", lang, provision=g.title(lang))
        else:
            head = g.title(lang)
        names = []
        for a in g.activities:
            name = t(f"activity.{a.code}", lang)
            if a.planned:
                name += f" ({t('traveller.planned', lang)})"
            names.append(name)
        return [self.para(head, bold=True, grey=grey), self.para("; ".join(names), grey=grey)]

    def activities(self, items: Sequence[SheetActivity]) -> list[list[Any]]:
        return [
            [
                *(self.group_cell(g, lang, i > 0) for i, lang in enumerate(self.langs)),
                self.para(g.citation, scale=0.9),
            ]
            for g in group_activities(items)
        ]

    def flowables(self) -> list[Flowable]:
        s, langs = self.sheet, self.langs
        out: list[Flowable] = []
        title = [
            self.para(t("traveller.title", lang), bold=True, scale=1.8, grey=i > 0)
            for i, lang in enumerate(langs)
        ]
        out.append(self.grid([title], (0.5, 0.5)))
        out.extend(self.both("traveller.rules_as_of", version=s.policy_version, as_of=s.as_of))
        out.append(Spacer(1, 2 * mm))

        def label(key: str) -> list[Flowable]:
            return [self.para(t(key, lang), bold=True, grey=i > 0) for i, lang in enumerate(langs)]

        status = [
            self.para(
                f"{s.category_title.get(lang)} ({t(f'status.{s.status}', lang)})",
                bold=i == 0,
                grey=i > 0,
            )
            for i, lang in enumerate(langs)
        ]
        basis = [
            self.para(b.get(lang), grey=i > 0)
            for b in s.basis_titles
            for i, lang in enumerate(langs)
        ]
        if s.basis_text:
            basis.append(self.para(s.basis_text, scale=0.9))
        trip = self.both(
            "traveller.trip_dates", start=s.trip_start, end=s.trip_end, days=s.trip_days
        )
        last = [self.para(s.last_day.isoformat(), bold=True, scale=1.4)]
        last += self.both("traveller.last_day_note", days=s.admission_days, start=s.trip_start)
        if s.ends_after_last_day:
            key = "traveller.beyond_extendable" if s.extendable else "traveller.beyond_final"
            last += self.both(key)
        last.append(self.para(s.stay_source, scale=0.85, grey=True))
        facts: list[list[Any]] = [
            [label("traveller.name"), self.para(f"{s.name}  ({s.worker_id})", bold=True)],
            [label("traveller.employer"), self.para(s.employer or "-")],
            [label("traveller.project"), self.para(s.project or "-")],
            [label("traveller.worksite"), self.para(s.worksite or "-")],
            [label("traveller.status"), status],
            [label("traveller.basis"), basis],
            [label("traveller.trip"), trip],
            [label("traveller.last_day"), last],
        ]
        out.append(self.grid(facts, (0.25, 0.75)))

        out.append(self.heading("traveller.may_do"))
        out.append(self.grid(self.activities(s.may_do), (0.4, 0.4, 0.2)))
        out.append(self.heading("traveller.may_not_do"))
        rows = self.activities(s.may_not_do)
        rows.append(
            [
                *(
                    [
                        self.para(
                            t("traveller.anything_else", lang, rule=s.default_title.get(lang)),
                            grey=i > 0,
                        )
                    ]
                    for i, lang in enumerate(langs)
                ),
                self.para(s.default_citation, scale=0.9),
            ]
        )
        out.append(self.grid(rows, (0.4, 0.4, 0.2)))

        out.append(self.heading("traveller.carry"))
        if s.carry:
            docs = []
            for d in s.carry:
                cells: list[Any] = []
                for i, lang in enumerate(langs):
                    mark = t("documents.required" if d.required else "documents.optional", lang)
                    cells.append(
                        [
                            self.para(f"{d.title.get(lang)} ({mark})", bold=True, grey=i > 0),
                            self.para(d.description.get(lang), scale=0.9, grey=i > 0),
                        ]
                    )
                source = d.citation or " / ".join(
                    t("documents.desk_procedure", lang) for lang in langs
                )
                cells.append(self.para(source, scale=0.9))
                docs.append(cells)
            out.append(self.grid(docs, (0.4, 0.4, 0.2)))
        else:
            out.extend(self.both("traveller.no_documents"))

        if s.annotation is not None:
            out.append(self.heading("traveller.annotation"))
            out.extend(self.text2(s.annotation))
        out.append(self.heading("traveller.notice"))
        out.extend(self.text2(s.notice))
        return out


def _pdf_bytes(sheet: TravellerSheet, langs: tuple[str, ...], size: float) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"{t('traveller.title', langs[0])} - {sheet.name}",
        author="visadesk",
        invariant=1,
    )
    doc.build(_Pdf(sheet, langs, size).flowables())
    return buffer.getvalue(), doc.page


def render_pdf(sheet: TravellerSheet, lang: str = "en") -> bytes:
    """The sheet as a one-page A4 PDF (``lang`` first, the other alongside); deterministic.

    The font shrinks step by step until the sheet fits one page; a sheet too
    long even at the smallest size runs onto a second page rather than lose text.
    """
    _register_fonts()
    langs = _langs(lang)
    data = b""
    for size in (8.5, 8.0, 7.5, 7.0, 6.5, 6.0):
        data, pages = _pdf_bytes(sheet, langs, size)
        if pages <= 1:
            break
    return data
