"""Seeding a demo desk: organizations, one user per role, four projects and trips across
the workflow.

Everything is done through the desk's own operations, as the people would do
it: the sponsors' and subcontractors' staff upload rosters into batches
(:func:`visadesk.desk.uploads.upload_roster`), the sponsors submit them, the
filers upload documents, the desk reviews them and moves each case with
:func:`visadesk.desk.transitions.take_transition`. So every case event and every
audit entry is real; only the clock is today's.

Who is in the demo and what they work on is :mod:`visadesk.desk.demo_world`;
the rosters they file, :mod:`visadesk.desk.demo_rosters`. The people and
companies are fictional. The same seed, trip count and screening date give
the same organizations, people, trips, cases, states and documents.

The screening date is the day the demo is seeded unless one is given, and every
date follows it: the trips, the interviews, and the timestamps the desk writes
(created, submitted, decided, uploaded, reviewed, audited), which a story clock
(:class:`StoryClock`, through :mod:`visadesk.desk.clock`) spreads over the weeks
before that day, the same way each time for the same day.

Cases further along the workflow are the ones travelling soonest: trips that
started before the screening date are issued, travelled or closed; the
latest trips of each project are still drafts in an open batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from visadesk.desk import (
    audit,
    clock,
    directory,
    docrequests,
    documents,
    projects,
    requesting,
    tokens,
    transitions,
    uploads,
)
from visadesk.desk.authz import Principal
from visadesk.desk.db import write_session
from visadesk.desk.decisions import Refusal
from visadesk.desk.demo_rosters import DemoRow, demo_rows, roster_csv
from visadesk.desk.demo_world import (
    BANDS,
    DEFAULT_TRIPS,
    DEMO_SEED,
    FILER,
    OPEN_SHARE,
    ORG,
    ORGS,
    PROJECTS,
    SPONSOR_ADMIN,
    USERS,
    DemoProject,
)
from visadesk.desk.models import AuditHead, Case, Document, Notification, Trip, utcnow
from visadesk.desk.runtime import Desk
from visadesk.desk.submission import SubmitChoice
from visadesk.desk.workflow import FINAL_STATES

__all__ = ["DemoLogin", "DemoReport", "StoryClock", "demo_pdf", "seed"]

KST: Final = dt.timezone(dt.timedelta(hours=9), "KST")
#: The story's weeks before the screening date: the organizations are set up on the
#: first day, the first batches filed and submitted in the next two weeks, and the
#: cases moved along the workflow from then until the day before.
STORY_DAYS: Final = 63
FILING_DAYS: Final = (56, 42)
WORK_DAYS: Final = (42, 1)
#: Each demo user's newest notices left unread (the older ones are read by the end).
UNREAD_NOTICES: Final = 5


class StoryClock:
    """The demo's wall clock: deterministic for a screening date, never running backwards.

    Each reading is one tick after the last; :meth:`reach` moves the clock on to a
    moment of the story (never back), so the phases of the seeding land in their
    weeks whatever the number of readings in between.
    """

    def __init__(self, today: dt.date, tick: dt.timedelta = dt.timedelta(seconds=10)) -> None:
        self.today = today
        self.tick = tick
        self.now = self.at(STORY_DAYS)

    def at(self, days_before: float) -> dt.datetime:
        """9:00 in Seoul ``days_before`` days before the screening date."""
        day = dt.datetime.combine(self.today, dt.time(9), KST)
        return day - dt.timedelta(days=days_before)

    def reach(self, days_before: float) -> None:
        self.now = max(self.now, self.at(days_before))

    def between(self, window: tuple[int, int], done: int, total: int) -> None:
        """Move on to the share ``done / total`` of ``window`` (days before, from and to)."""
        first, last = window
        self.reach(first - (first - last) * done / max(total, 1))

    def __call__(self) -> dt.datetime:
        self.now += self.tick
        return self.now


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
    "*request",  # request_documents: the ticked items, then in_review -> documents_requested
    "*documents",
    "in_review",
    "ready_for_interview",
    "interview_scheduled",
)
#: The other item (free text) a demo officer asks for on some open requests.
_EXTRA_ITEM: Final = "Letter from the US customer confirming the installation schedule"
#: The demo's refusals name INA 214(b) (rules/baseline/refusals.yaml).
_DEMO_REFUSAL: Final = Refusal(ground="ina_214b")
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
    def __init__(self, desk: Desk, session: Session, today: dt.date, story: StoryClock) -> None:
        self.desk, self.s, self.today, self.story = desk, session, today, story
        self.orgs: dict[str, int] = {}
        self.users: dict[str, Principal] = {}
        self.filer_of_org: dict[int, Principal] = {}
        self.sponsor_admin_of_org: dict[int, Principal] = {}
        self.waiting = 0  # the cases left waiting for documents so far

    # organizations and people
    def organizations(self, password: str, report: DemoReport) -> None:
        for org in ORGS:
            sponsor = self.orgs[org.sponsor] if org.sponsor else None
            self.orgs[org.key] = directory.create_org(
                self.s, None, kind=org.kind, name=org.name, name_ko=org.name_ko, sponsor_id=sponsor
            ).id
        for key, org_key, role, email, name, lang in USERS:
            user = directory.add_user(
                self.s,
                None,
                org_id=self.orgs[org_key],
                email=email,
                name=name,
                role=role,
                password=password,
                lang=lang,
            )
            self.users[key] = tokens.principal_of(user)
            report.logins.append(DemoLogin(email, role, ORG[org_key].name, name))
        for org_key, user_key in FILER.items():
            self.filer_of_org[self.orgs[org_key]] = self.users[user_key]
        for org in ORGS:
            if org.kind == "sponsor":
                admin = self.users[SPONSOR_ADMIN[org.key]]
                self.sponsor_admin_of_org[self.orgs[org.key]] = admin
            elif org.sponsor is not None:
                admin = self.users[SPONSOR_ADMIN[org.sponsor]]
                self.sponsor_admin_of_org[self.orgs[org.key]] = admin

    def projects(self, rows: Sequence[DemoRow], report: DemoReport) -> None:
        by_project: dict[str, list[DemoRow]] = {}
        for row in rows:
            by_project.setdefault(row.project, []).append(row)
        for done, project in enumerate(PROJECTS):
            self.story.between(FILING_DAYS, done, len(PROJECTS))
            admin = self.users[SPONSOR_ADMIN[project.sponsor]]
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
            held = round(len(mine) * OPEN_SHARE) if len(mine) >= 4 else 0
            waves = [(1, mine[: len(mine) - held], True), (2, mine[len(mine) - held :], False)]
            for number, wave, submit in waves:
                if wave:
                    self.batch(created.id, project, number, wave, submit=submit)
                    report.batches += 1

    def batch(
        self,
        project_id: int,
        project: DemoProject,
        number: int,
        rows: Sequence[DemoRow],
        *,
        submit: bool,
    ) -> None:
        admin = self.users[SPONSOR_ADMIN[project.sponsor]]
        batch = projects.create_batch(
            self.s, admin, project_id=project_id, name=f"{project.name} - wave {number}"
        )
        filers = list(dict.fromkeys(r.filer for r in rows))
        for filer in filers:
            if ORG[filer].kind == "subcontractor":
                projects.invite(self.s, admin, batch.id, self.orgs[filer])
        for filer in filers:
            mine = [r for r in rows if r.filer == filer]
            uploads.upload_roster(
                self.s,
                self.users[FILER[filer]],
                batch.id,
                data=roster_csv(mine),
                filename=f"{ORG[filer].prefix.lower()}-wave-{number}.csv",
                policy=self.desk.policy,
                as_of=self.today,
            )
        if submit:
            # The demo's sponsors hold back the people who need information.
            choice = SubmitChoice(confirmed=True, amber_default="hold")
            transitions.submit_batch(self.s, admin, batch.id, self.desk, choice)

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
        # With the checklist: a request closes once its items are all accepted.
        documents.review(
            self.s,
            self.users["officer"],
            document_id,
            status=status,
            comment=comment,
            checklist=self.desk.checklist,
        )

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
            elif step == "*request":
                self.request(case, open_=target == "documents_requested")
            elif step == "*partial":
                self.partial_documents(case)
            else:
                extra: dict[str, Any] = {"comment": _COMMENTS.get((case.state, step), "")}
                if step == "interview_scheduled":
                    upcoming = target == "interview_scheduled"
                    extra["interview_at"] = self.interview(case, index, upcoming=upcoming)
                if step in FINAL_STATES:
                    extra["confirmed"] = True  # the demo's people confirm each final step
                if step == "refused":
                    extra["refusal"] = _DEMO_REFUSAL
                self.move(case, self.actor(case, step), step, **extra)

    def actor(self, case: Case, target: str) -> Principal:
        if target == "travelled" or (case.state, target) == ("documents_requested", "in_review"):
            return self.filer_of_org[case.org_id]
        if target == "closed":
            if case.state == "refused":
                return self.users["supervisor"]
            return self.sponsor_admin_of_org[case.org_id]
        return self.users["officer"]

    def request(self, case: Case, *, open_: bool) -> None:
        """The officer asks for documents with ticked items (request_documents: the case
        moves to documents_requested and its filers are told). A case that goes on asks for
        its required documents; one left waiting (``open_``) for 2 to 4 checklist items,
        every third also for an item in words."""
        items = [i.id for i in documents.case_checklist(self.s, case, self.desk.checklist)]
        required = documents.required_kinds(self.s, case, self.desk.checklist)
        if open_:
            variant = self.waiting % 3
            wanted = (3, 2, 4)[variant]
            ordered = [*required, *(k for k in items if k not in required)]
            kinds = ordered[:wanted]
            extras = (_EXTRA_ITEM,) if variant == 0 else ()
        else:
            kinds, extras = (required or items[:1])[:4], ()
        note = _COMMENTS[("in_review", "documents_requested")]
        requesting.request_documents(
            self.s, self.users["officer"], case.id, requesting.Ask(kinds, extras, note), self.desk
        )

    def requested_kinds(self, case: Case) -> list[str]:
        """The kinds of the case's open request, in its order."""
        view = docrequests.request_view(self.s, case, self.desk.checklist)
        return [i.kind for i in view.items] if view is not None else []

    def documents(self, case: Case, index: int) -> None:
        """Every required (and requested) document uploaded and accepted (now and then
        after one rejection): the request closes."""
        required = documents.required_kinds(self.s, case, self.desk.checklist)
        kinds = [*required, *(k for k in self.requested_kinds(case) if k not in required)]
        for position, kind in enumerate(kinds):
            uploaded = self.upload(case, kind)
            if position == 0 and index % 4 == 0:
                self.review(
                    uploaded, "rejected", "The scan is cut off; please upload the whole page."
                )
                uploaded = self.upload(case, kind, " (second copy)")
            self.review(uploaded, "accepted")

    def partial_documents(self, case: Case) -> None:
        """A request left open, progress mixed case by case: the first item uploaded and
        awaiting review, the second rejected with a reason, the rest (an item in words
        too) not uploaded; nothing uploaded yet; half uploaded, one of them accepted."""
        kinds = self.requested_kinds(case)
        variant = self.waiting % 3
        self.waiting += 1
        if variant == 1 or not kinds:
            return
        if variant == 0:
            self.upload(case, kinds[0])
            if len(kinds) > 1:
                self.review(
                    self.upload(case, kinds[1]),
                    "rejected",
                    "The document is not signed; please upload a signed copy.",
                )
            return
        ids = [self.upload(case, kind) for kind in kinds[: max(1, len(kinds) // 2)]]
        self.review(ids[0], "accepted")

    def read_old_notices(self, keep: int) -> None:
        """The demo's people have read all but their ``keep`` newest notices (audited, as
        the notifications page's "mark all read" is): the header counts a few, not
        every move of two months' work."""
        for user in self.users.values():
            newest = (
                select(Notification.id)
                .where(Notification.user_id == user.user_id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(keep)
            )
            stmt = (
                update(Notification)
                .where(
                    Notification.user_id == user.user_id,
                    Notification.read_at.is_(None),
                    Notification.id.not_in(newest),
                )
                .values(read_at=utcnow())
            )
            count = int(self.s.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
            if count:
                audit.record(
                    self.s, user, "notification.read_all", "user", user.user_id, count=count
                )

    def workflow(self) -> None:
        submitted = self.s.scalars(
            select(Case).where(Case.state == "submitted").order_by(Case.trip_start, Case.id)
        ).all()
        for index, (case, target) in enumerate(
            zip(submitted, _quotas(len(submitted)), strict=True)
        ):
            self.story.between(WORK_DAYS, index, len(submitted))
            self.walk(case, target, index)


def seed(
    desk: Desk,
    *,
    password: str,
    trips: int = DEFAULT_TRIPS,
    seed: int = DEMO_SEED,
    today: dt.date | None = None,
) -> DemoReport:
    """Fill an empty desk with the demo world, in one transaction.

    ``today`` is the screening date (default: the desk's today, the day it is
    seeded); the trips and every timestamp written follow it.
    """
    today = today or desk.today()
    report = DemoReport(today=today)
    rows = demo_rows(trips, seed=seed, today=today)
    story = StoryClock(today)
    with clock.using(story), write_session(desk.sessions) as session:
        seeder = _Seeder(desk, session, today, story)
        seeder.organizations(password, report)
        seeder.projects(rows, report)
        seeder.workflow()
        seeder.read_old_notices(keep=UNREAD_NOTICES)
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
