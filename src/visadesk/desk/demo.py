"""A demo desk: organizations, one user per role, four projects and trips across the workflow.

Everything is done through the desk's own operations, as the people would do
it: the sponsors' and subcontractors' staff upload rosters into batches
(:func:`visadesk.desk.uploads.upload_roster`), the sponsors submit them, the
filers upload documents, the desk reviews them and moves each case with
:func:`visadesk.desk.transitions.take_transition`. So every case event and every
audit entry is real; only the clock is today's.

The rosters are the bundled sample roster (Hanbit's battery plant in Georgia
and Haeon's shipyard in Philadelphia) and synthetic rows from
:mod:`visadesk.synth`, moved onto the demo's projects. The people and
companies are fictional. The same seed, trip count and screening date give
the same organizations, people, trips, cases, states and documents.

Cases further along the workflow are the ones travelling soonest: trips that
started before the screening date are issued, travelled or closed; the
latest trips of each project are still drafts in an open batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from visadesk._synth_world import _CONSTRUCTION, _CONTRACTORS
from visadesk.desk import accounts, documents, projects, transitions, uploads
from visadesk.desk.api.state import Desk
from visadesk.desk.authz import Principal
from visadesk.desk.db import write_session
from visadesk.desk.models import AuditHead, Case, Document, Trip
from visadesk.roster.schema import COLUMNS

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_TRIPS",
    "DEMO_SEED",
    "DEMO_TODAY",
    "MAX_TRIPS",
    "MIN_TRIPS",
    "DemoLogin",
    "DemoReport",
    "demo_rows",
    "seed",
]

#: The screening date the demo is built for (the sample roster's trips are after it).
DEMO_TODAY: Final = dt.date(2026, 11, 27)
DEMO_SEED: Final = 2026
DEFAULT_TRIPS: Final = 200
MIN_TRIPS: Final = 20
MAX_TRIPS: Final = 5_000
#: The demo users' password when ``VISADESK_DEMO_PASSWORD`` is not set: demo data
#: on one's own machine only, printed by ``visadesk demo`` and in docs/desk.md.
DEFAULT_PASSWORD: Final = "visadesk-demo"  # noqa: S105 - a published demo password
KST: Final = dt.timezone(dt.timedelta(hours=9), "KST")


@dataclass(frozen=True)
class _Org:
    key: str
    kind: str
    name: str
    name_ko: str
    sponsor: str | None
    #: worker_id prefix of the staff it files
    prefix: str


ORGS: Final = (
    _Org("desk", "desk", "Visa Desk Seoul", "서울 비자 데스크", None, ""),
    _Org("hanbit", "sponsor", "Hanbit Energy Solutions", "한빛에너지솔루션", None, "HB"),
    _Org("haeon", "sponsor", "Haeon Marine Industries", "해온마린인더스트리", None, "HM"),
    _Org(
        "sejin",
        "subcontractor",
        "Sejin Plant Engineering & Construction",
        "세진플랜트건설",
        "hanbit",
        "SJ",
    ),
    _Org(
        "daeseong", "subcontractor", "Daeseong Precision Machinery", "대성정밀기계", "hanbit", "DS"
    ),
    _Org("haedam", "subcontractor", "Haedam Ship Outfitting", "해담선박의장", "haeon", "HD"),
)
_ORG: Final = {o.key: o for o in ORGS}
_ORG_BY_NAME: Final = {o.name: o for o in ORGS}

#: key, organization, role, e-mail, name, language
USERS: Final = (
    ("admin", "desk", "desk_admin", "admin@desk.example", "Yoon Seo-yeon", "en"),
    ("supervisor", "desk", "desk_supervisor", "supervisor@desk.example", "Kang Min-jae", "en"),
    ("officer", "desk", "desk_officer", "officer@desk.example", "Lim Ha-eun", "ko"),
    ("auditor", "desk", "auditor", "auditor@desk.example", "Jang Tae-woo", "en"),
    ("hanbit_admin", "hanbit", "sponsor_admin", "admin@hanbit.example", "Kim Do-hyun", "ko"),
    ("hanbit_staff", "hanbit", "sponsor_staff", "staff@hanbit.example", "Lee Ji-min", "ko"),
    ("haeon_admin", "haeon", "sponsor_admin", "admin@haeon.example", "Park Sang-woo", "ko"),
    ("haeon_staff", "haeon", "sponsor_staff", "staff@haeon.example", "Choi Yu-na", "en"),
    ("sejin_staff", "sejin", "subcontractor_staff", "staff@sejin.example", "Oh Jun-seo", "ko"),
    (
        "daeseong_staff",
        "daeseong",
        "subcontractor_staff",
        "staff@daeseong.example",
        "Shin Eun-ji",
        "ko",
    ),
    ("haedam_staff", "haedam", "subcontractor_staff", "staff@haedam.example", "Bae Hyun-woo", "ko"),
)
#: Who files for each organization (uploads, answers document requests).
_FILER: Final = {
    "hanbit": "hanbit_staff",
    "haeon": "haeon_staff",
    "sejin": "sejin_staff",
    "daeseong": "daeseong_staff",
    "haedam": "haedam_staff",
}
_SPONSOR_ADMIN: Final = {"hanbit": "hanbit_admin", "haeon": "haeon_admin"}


@dataclass(frozen=True)
class _Project:
    key: str
    sponsor: str
    name: str
    sector: str
    state: str
    worksite: str
    us_entity: str
    korean_pct: int
    e2_registered: bool
    investment_usd: int


PROJECTS: Final = (
    _Project(
        "hanbit_ga",
        "hanbit",
        "Hanbit GA Cell Plant",
        "batteries",
        "GA",
        "Hanbit-GA Battery Plant, Bryan County, GA",
        "Hanbit Battery Georgia LLC",
        100,
        True,
        4_300_000_000,
    ),
    _Project(
        "hanbit_tx",
        "hanbit",
        "Hanbit Texas Power Module Fab",
        "semiconductors",
        "TX",
        "Hanbit Power Devices Fab, Williamson County, TX",
        "Hanbit Power Devices Texas LLC",
        100,
        True,
        1_250_000_000,
    ),
    _Project(
        "haeon_pa",
        "haeon",
        "Haeon Philadelphia Shipyard Modernization",
        "shipbuilding",
        "PA",
        "Haeon Philadelphia Shipyard, Philadelphia, PA",
        "Haeon Shipyard Philadelphia LLC",
        100,
        False,
        1_100_000_000,
    ),
    _Project(
        "haeon_va",
        "haeon",
        "Haeon Virginia Offshore Wind Foundation Yard",
        "energy",
        "VA",
        "Haeon Wind Foundation Yard, Portsmouth, VA",
        "Haeon Offshore Wind Virginia LLC",
        100,
        False,
        650_000_000,
    ),
)
_PROJECT_BY_SECTOR: Final = {p.sector: p for p in PROJECTS}
_PROJECT_BY_NAME: Final = {p.name: p for p in PROJECTS}
_CONSTRUCTION_FIRMS: Final = frozenset(n for n, kind, _ in _CONTRACTORS if kind == _CONSTRUCTION)
#: The sample roster's share of the demo's trips (75 of 200).
_SAMPLE_SHARE: Final = 75 / 200
#: Share of each project's trips (the latest) left as drafts in an open batch.
_OPEN_SHARE: Final = 0.12

#: Where the submitted cases end up, in order of trip start (earliest first), with shares.
BANDS: Final = (
    ("closed", 0.10),
    ("travelled", 0.08),
    ("issued", 0.10),
    ("refused", 0.05),
    ("approved", 0.08),
    ("administrative_processing", 0.05),
    ("interview_scheduled", 0.10),
    ("ready_for_interview", 0.08),
    ("documents_requested", 0.14),
    ("in_review", 0.12),
    ("submitted", 0.10),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organization: str
    name: str


@dataclass
class DemoReport:
    today: dt.date
    logins: list[DemoLogin] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    trips: int = 0
    batches: int = 0
    cases: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0


# -- the rosters --------------------------------------------------------------------------


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
        project = _PROJECT_BY_NAME[values["project"]]
        employer = _ORG_BY_NAME.get(values["employer"])
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
            if row["sector"] in _PROJECT_BY_SECTOR and row["employer_nationality"] == "KR"
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
        project = _PROJECT_BY_SECTOR[row["sector"]]
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
            worker_id=f"{_ORG[filer].prefix}-{1000 + numbers[filer]:04d}",
            employer=_ORG[filer].name,
            employer_nationality="KR",
            sponsor=_ORG[project.sponsor].name,
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
    sample = _sample_rows(round(trips * _SAMPLE_SHARE), (today - DEMO_TODAY).days)
    # Synthetic trips start from eight weeks before the screening date: the earliest have
    # travelled already.
    start = _monday_before(today - dt.timedelta(weeks=8))
    return sample + _synthetic_rows(trips - len(sample), seed, start)


def _csv(rows: Sequence[DemoRow]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c.name for c in COLUMNS])
    writer.writeheader()
    writer.writerows(r.values for r in rows)
    return out.getvalue().encode("utf-8")


# -- documents ---------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode()
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF (valid: objects, cross-reference table, trailer) showing ``lines``."""
    text = "".join(
        f"BT /F1 11 Tf 56 {780 - 18 * i} Td ({_pdf_text(line)}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# -- seeding -----------------------------------------------------------------------------


#: Desk comments on some transitions (source, target) -> comment.
_COMMENTS: Final = {
    ("in_review", "documents_requested"): "Please upload the documents listed.",
    ("documents_requested", "in_review"): "All requested documents are uploaded.",
    ("interview_scheduled", "administrative_processing"): (
        "Administrative processing after the interview."
    ),
    ("interview_scheduled", "refused"): "Refused at the interview.",
    ("administrative_processing", "refused"): "Refused after administrative processing.",
    ("refused", "closed"): "Refusal recorded; case closed.",
    ("approved", "issued"): "Passport returned with the visa.",
}
_STEPS: Final = (
    "in_review",
    "documents_requested",
    "*documents",
    "in_review",
    "ready_for_interview",
    "interview_scheduled",
)
_AFTER_APPROVAL: Final = ("approved", "issued", "travelled", "closed")


def _route(target: str, index: int) -> list[str]:
    """The steps from submitted to ``target``; ``*`` steps are document work, not transitions."""
    if target == "documents_requested":
        return [*_STEPS[:2], "*partial"]
    if target == "submitted" or target in _STEPS:
        # the first in_review is the desk taking the case; "submitted" takes no step
        return list(_STEPS[: _STEPS.index(target) + 1]) if target in _STEPS else []
    route = list(_STEPS)
    refused = target == "refused" or (target == "closed" and index % 3 == 0)
    if target == "administrative_processing" or (target != "refused" and index % 2 == 1):
        route.append("administrative_processing")
    if target == "administrative_processing":
        return route
    if refused:
        return [*route, "refused", *(["closed"] if target == "closed" else [])]
    return [*route, *_AFTER_APPROVAL[: _AFTER_APPROVAL.index(target) + 1]]


def _quotas(total: int) -> list[str]:
    """The target state of each of ``total`` cases (earliest trip first)."""
    shares = [share for _, share in BANDS]
    counts = [int(total * s) for s in shares]
    if total >= len(BANDS):
        counts = [max(1, c) for c in counts]
    # Largest remainders first, then trim from the largest bands if over.
    order = sorted(
        range(len(BANDS)), key=lambda i: (-(total * shares[i] - int(total * shares[i])), i)
    )
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts) > total:
        counts[max(range(len(counts)), key=lambda j: (counts[j], -j))] -= 1
    return [state for (state, _), n in zip(BANDS, counts, strict=True) for _ in range(n)]


class _Seeder:
    def __init__(self, desk: Desk, session: Session, today: dt.date) -> None:
        self.desk, self.s, self.today = desk, session, today
        self.orgs: dict[str, int] = {}
        self.users: dict[str, Principal] = {}
        self.filer_of_org: dict[int, Principal] = {}
        self.sponsor_admin_of_org: dict[int, Principal] = {}

    # organizations and people
    def organizations(self, password: str, report: DemoReport) -> None:
        for org in ORGS:
            sponsor = self.orgs[org.sponsor] if org.sponsor else None
            self.orgs[org.key] = accounts.create_org(
                self.s, None, kind=org.kind, name=org.name, name_ko=org.name_ko, sponsor_id=sponsor
            ).id
        for key, org_key, role, email, name, lang in USERS:
            user = accounts.add_user(
                self.s,
                None,
                org_id=self.orgs[org_key],
                email=email,
                name=name,
                role=role,
                password=password,
                lang=lang,
            )
            self.users[key] = accounts.principal_of(user)
            report.logins.append(DemoLogin(email, role, _ORG[org_key].name, name))
        for org_key, user_key in _FILER.items():
            self.filer_of_org[self.orgs[org_key]] = self.users[user_key]
        for org in ORGS:
            if org.kind == "sponsor":
                admin = self.users[_SPONSOR_ADMIN[org.key]]
                self.sponsor_admin_of_org[self.orgs[org.key]] = admin
            elif org.sponsor is not None:
                admin = self.users[_SPONSOR_ADMIN[org.sponsor]]
                self.sponsor_admin_of_org[self.orgs[org.key]] = admin

    def projects(self, rows: Sequence[DemoRow], report: DemoReport) -> None:
        by_project: dict[str, list[DemoRow]] = {}
        for row in rows:
            by_project.setdefault(row.project, []).append(row)
        for project in PROJECTS:
            admin = self.users[_SPONSOR_ADMIN[project.sponsor]]
            created = projects.create_project(
                self.s,
                admin,
                name=project.name,
                worksite=project.worksite,
                state=project.state,
                sector=project.sector,
                investment_usd=project.investment_usd,
            )
            report.projects.append(project.name)
            mine = sorted(by_project.get(project.name, []), key=lambda r: r.trip_start)
            held = round(len(mine) * _OPEN_SHARE) if len(mine) >= 4 else 0
            waves = [(1, mine[: len(mine) - held], True), (2, mine[len(mine) - held :], False)]
            for number, wave, submit in waves:
                if wave:
                    self.batch(created.id, project, number, wave, submit=submit)
                    report.batches += 1

    def batch(
        self,
        project_id: int,
        project: _Project,
        number: int,
        rows: Sequence[DemoRow],
        *,
        submit: bool,
    ) -> None:
        admin = self.users[_SPONSOR_ADMIN[project.sponsor]]
        batch = projects.create_batch(
            self.s, admin, project_id=project_id, name=f"{project.name} - wave {number}"
        )
        filers = list(dict.fromkeys(r.filer for r in rows))
        for filer in filers:
            if _ORG[filer].kind == "subcontractor":
                projects.invite(self.s, admin, batch.id, self.orgs[filer])
        for filer in filers:
            mine = [r for r in rows if r.filer == filer]
            uploads.upload_roster(
                self.s,
                self.users[_FILER[filer]],
                batch.id,
                data=_csv(mine),
                filename=f"{_ORG[filer].prefix.lower()}-wave-{number}.csv",
                policy=self.desk.policy,
                as_of=self.today,
            )
        if submit:
            transitions.submit_batch(self.s, admin, batch.id, self.desk)

    # the workflow
    def move(self, case: Case, who: Principal, target: str, **extra: Any) -> None:
        transitions.take_transition(
            self.s, who, case.id, transitions.Move(target, **extra), self.desk
        )

    def upload(self, case: Case, kind: str, note: str = "") -> int:
        worker = self.s.scalar(select(Trip.worker_id).where(Trip.id == case.trip_id)) or "-"
        data = demo_pdf(
            f"Demo document: {kind}",
            f"Traveller {worker}, case {case.id}{note}",
            "Fictional demo data generated by visadesk demo.",
        )
        doc = documents.upload(
            self.s,
            self.filer_of_org[case.org_id],
            case.id,
            kind=kind,
            filename=f"{kind}-{worker}.pdf",
            data=data,
            checklist=self.desk.checklist,
            documents_dir=self.desk.settings.documents_dir,
        )
        return doc.id

    def review(self, document_id: int, status: str, comment: str = "") -> None:
        documents.review(self.s, self.users["officer"], document_id, status=status, comment=comment)

    def interview(self, case: Case, index: int, *, upcoming: bool) -> dt.datetime:
        day = case.trip_start - dt.timedelta(days=21)
        if upcoming and day <= self.today:
            day = self.today + dt.timedelta(days=1 + index % 7)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        minutes = 9 * 60 + 30 * (index % 8)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), KST)

    def walk(self, case: Case, target: str, index: int) -> None:
        """Take the case from submitted to ``target``, each step by the role that takes it."""
        for step in _route(target, index):
            if step == "*documents":
                self.documents(case, index)
            elif step == "*partial":
                required = documents.required_kinds(self.s, case, self.desk.checklist)
                self.partial_documents(case, required, index)
            else:
                extra: dict[str, Any] = {"comment": _COMMENTS.get((case.state, step), "")}
                if step == "interview_scheduled":
                    upcoming = target == "interview_scheduled"
                    extra["interview_at"] = self.interview(case, index, upcoming=upcoming)
                self.move(case, self.actor(case, step), step, **extra)

    def actor(self, case: Case, target: str) -> Principal:
        if target == "travelled" or (case.state, target) == ("documents_requested", "in_review"):
            return self.filer_of_org[case.org_id]
        if target == "closed":
            if case.state == "refused":
                return self.users["supervisor"]
            return self.sponsor_admin_of_org[case.org_id]
        return self.users["officer"]

    def documents(self, case: Case, index: int) -> None:
        """Every required document uploaded and accepted (now and then after one rejection)."""
        required = documents.required_kinds(self.s, case, self.desk.checklist)
        for position, kind in enumerate(required):
            uploaded = self.upload(case, kind)
            if position == 0 and index % 4 == 0:
                self.review(
                    uploaded, "rejected", "The scan is cut off; please upload the whole page."
                )
                uploaded = self.upload(case, kind, " (second copy)")
            self.review(uploaded, "accepted")

    def partial_documents(self, case: Case, required: Sequence[str], index: int) -> None:
        """Nothing yet, half uploaded, or uploaded with one accepted and one rejected."""
        step = index % 3
        if step == 0 or not required:
            return
        if step == 1:
            for kind in required[: max(1, len(required) // 2)]:
                self.upload(case, kind)
            return
        ids = [self.upload(case, kind) for kind in required]
        self.review(ids[0], "accepted")
        if len(ids) > 1:
            self.review(
                ids[1], "rejected", "The document is not signed; please upload a signed copy."
            )

    def workflow(self) -> None:
        submitted = self.s.scalars(
            select(Case).where(Case.state == "submitted").order_by(Case.trip_start, Case.id)
        ).all()
        for index, (case, target) in enumerate(
            zip(submitted, _quotas(len(submitted)), strict=True)
        ):
            self.walk(case, target, index)


def seed(
    desk: Desk,
    *,
    password: str,
    trips: int = DEFAULT_TRIPS,
    seed: int = DEMO_SEED,
    today: dt.date = DEMO_TODAY,
) -> DemoReport:
    """Fill an empty desk with the demo world, in one transaction."""
    report = DemoReport(today=today)
    rows = demo_rows(trips, seed=seed, today=today)
    with write_session(desk.sessions) as session:
        seeder = _Seeder(desk, session, today)
        seeder.organizations(password, report)
        seeder.projects(rows, report)
        seeder.workflow()
        session.flush()
        report.trips = session.scalar(select(func.count(Trip.id))) or 0
        report.cases = {
            str(state): int(n)
            for state, n in session.execute(
                select(Case.state, func.count(Case.id)).group_by(Case.state)
            )
        }
        report.audit_entries = session.scalar(select(AuditHead.seq)) or 0
        report.documents = {
            str(status): int(n)
            for status, n in session.execute(
                select(Document.status, func.count(Document.id)).group_by(Document.status)
            )
        }
    return report
