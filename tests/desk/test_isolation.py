"""Tenant isolation: no endpoint lets one organization see or change another's rows.

Every route of the app is enumerated from ``app.routes``; a route with an
``{..._id}`` path parameter must have a rule in :data:`RULES` (how to call it),
so a new endpoint cannot slip by untested. Each is called by the other sponsor
(Haeon), by its subcontractor (Kukje) and by a subcontractor of the same
sponsor (Sejin, for Daeseong's and Hanbit's own staff) with Hanbit's ids: the
answer is 404 ``not_found``, exactly as for an id that does not exist (403
would reveal that the row exists), and the database is unchanged.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.desk.fixtures import PASSWORD, TODAY, World, roster_csv, roster_rows
from visadesk.desk import (
    accounts,
    documents,
    notifications,
    projects,
    screenings,
    tokens,
    uploads,
)
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import (
    AuditHead,
    Base,
    Batch,
    BatchMember,
    Case,
    Document,
    Notification,
    Trip,
)
from visadesk.desk.runtime import Desk
from visadesk.serve.request import CSRF_HEADER, SESSION_COOKIE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROJECT_A = "Hanbit GA Cell Plant"
PROJECT_B = "Haeon Philadelphia Shipyard Modernization"
ABSENT = 987_654


# -- tenant A's rows (and a few of B's, so that lists have something of their own) -----------


@dataclass
class Tenants:
    """Row ids by owner: ``a`` Hanbit's, ``b`` Haeon's (keys: what the row is)."""

    batch_shared: int  # Hanbit's batch with Sejin and Daeseong invited
    batch_private: int  # Hanbit's batch with only Daeseong invited
    batch_b: int  # Haeon's batch with Kukje invited
    trips: dict[str, int] = field(default_factory=dict)  # hanbit | daeseong | sejin | haeon | kukje
    cases: dict[str, int] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)
    doc_kind: str = ""
    notes: list[int] = field(default_factory=list)  # notifications to Hanbit's users


def _employer(project: str, employer: str, limit: int = 4) -> list[dict[str, str]]:
    return [r for r in roster_rows(project) if r["employer"] == employer][:limit]


def _upload(desk: Desk, who: Principal, batch: int, rows: list[dict[str, str]]) -> None:
    with write_session(desk.sessions) as s:
        uploads.upload_roster(
            s, who, batch, data=roster_csv(rows), filename="r.csv", policy=desk.policy, as_of=TODAY
        )


def _first_case(desk: Desk, batch: int, org: int, filer: Principal) -> tuple[int, int]:
    """The org's first case in the batch; its first trip's case opened when the rules
    recommended nothing for any of its trips (a trip still waiting for an answer)."""
    with read_session(desk.sessions) as s:
        row = s.execute(
            select(Case.id, Case.trip_id)
            .where(Case.batch_id == batch, Case.org_id == org)
            .order_by(Case.id)
        ).first()
        trip = s.scalar(
            select(Trip.id).where(Trip.batch_id == batch, Trip.org_id == org).order_by(Trip.id)
        )
    if row is not None:
        return row[0], row[1]
    assert trip is not None, (batch, org)
    with write_session(desk.sessions) as s:
        case = screenings.open_case(s, filer, trip, category="B1", policy=desk.policy, as_of=TODAY)
        return case.id, trip


@pytest.fixture
def tenants(desk: Desk, world: World) -> Tenants:
    u = world.users
    with write_session(desk.sessions) as s:
        shared = projects.create_batch(
            s, u["hanbit_admin"], project_id=world.projects["hanbit"], name="shared"
        ).id
        private = projects.create_batch(
            s, u["hanbit_admin"], project_id=world.projects["hanbit"], name="private"
        ).id
        b = projects.create_batch(
            s, u["haeon_admin"], project_id=world.projects["haeon"], name="b"
        ).id
        for batch, sub in ((shared, "sejin"), (shared, "daeseong"), (private, "daeseong")):
            projects.invite(s, u["hanbit_admin"], batch, world.subs[sub])
        projects.invite(s, u["haeon_admin"], b, world.subs["kukje"])
    _upload(desk, u["hanbit_admin"], shared, _employer(PROJECT_A, "Hanbit Energy Solutions"))
    sejin_rows = _employer(PROJECT_A, "Sejin Plant Engineering & Construction")
    _upload(desk, u["sejin_staff"], shared, sejin_rows)
    daeseong_rows = _employer(PROJECT_A, "Daeseong Precision Machinery")
    _upload(desk, u["daeseong_staff"], shared, daeseong_rows)
    # A later trip of the same people: one person has one open case per trip.
    later = {"trip_start": "2028-06-01", "trip_end": "2028-06-10"}
    _upload(desk, u["daeseong_staff"], private, [{**r, **later} for r in daeseong_rows])
    haeon_rows = _employer(PROJECT_B, "Haeon Marine Industries", 6)
    _upload(desk, u["haeon_admin"], b, haeon_rows[:3])
    kukje_rows = [
        {**r, "worker_id": f"KJ-{i:04d}", "employer": "Kukje Marine Electric"}
        for i, r in enumerate(haeon_rows[3:], 1)
    ]
    _upload(desk, u["kukje_staff"], b, kukje_rows)
    t = Tenants(shared, private, b)
    for key, batch, org, filer in (
        ("hanbit", shared, world.sponsors["hanbit"], "hanbit_admin"),
        ("daeseong", shared, world.subs["daeseong"], "daeseong_staff"),
        ("sejin", shared, world.subs["sejin"], "sejin_staff"),
        ("haeon", b, world.sponsors["haeon"], "haeon_admin"),
        ("kukje", b, world.subs["kukje"], "kukje_staff"),
    ):
        t.cases[key], t.trips[key] = _first_case(desk, batch, org, u[filer])
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, t.cases["daeseong"])
        t.doc_kind = documents.required_kinds(s, case, desk.checklist)[0]
        for key, who in (("hanbit", "hanbit_admin"), ("daeseong", "daeseong_staff")):
            t.docs[key] = documents.upload(
                s,
                u[who],
                t.cases[key],
                kind=t.doc_kind,
                filename="letter.pdf",
                data=PDF,
                checklist=desk.checklist,
                documents_dir=desk.settings.documents_dir,
            ).id
        # An annotation, so that reading it would succeed if the scope let it through.
        for key in ("hanbit", "daeseong"):
            s.get_one(Case, t.cases[key]).annotation_en = "B-1 | annotation"
        # Notifications (desk.notifications) to the filers of Hanbit's and Daeseong's cases.
        for key in ("hanbit", "daeseong"):
            case = s.get_one(Case, t.cases[key])
            notifications.notify(
                s, None, notifications.filers_of(s, case), "documents_requested", case
            )
        s.flush()
        t.notes = list(s.scalars(select(Notification.id).order_by(Notification.id)))
    return t


# -- who attacks with which ids ------------------------------------------------------------


def _targets(world: World, t: Tenants) -> dict[str, dict[str, list[int]]]:
    """For each attacker, the ids of rows it must not see, by path parameter."""
    outsider = {
        "org_id": [world.sponsors["hanbit"], world.subs["sejin"], world.subs["daeseong"]],
        "project_id": [world.projects["hanbit"]],
        "batch_id": [t.batch_shared, t.batch_private],
        "trip_id": [t.trips[k] for k in ("hanbit", "daeseong", "sejin")],
        "case_id": [t.cases[k] for k in ("hanbit", "daeseong", "sejin")],
        "document_id": [t.docs["hanbit"], t.docs["daeseong"]],
        "user_id": [
            world.users[k].user_id
            for k in ("hanbit_admin", "hanbit_staff", "sejin_staff", "daeseong_staff")
        ],
        "notification_id": t.notes,
    }
    # Sejin works in the shared batch of the same project: it sees the project, the
    # batch and its sponsor, never Daeseong's or Hanbit's own staff.
    sibling = {
        "org_id": [world.subs["daeseong"]],
        "project_id": [],
        "batch_id": [t.batch_private],
        "trip_id": [t.trips["hanbit"], t.trips["daeseong"]],
        "case_id": [t.cases["hanbit"], t.cases["daeseong"]],
        "document_id": [t.docs["hanbit"], t.docs["daeseong"]],
        "user_id": [world.users[k].user_id for k in ("hanbit_staff", "daeseong_staff")],
        "notification_id": t.notes,
    }
    return {"haeon_admin": outsider, "kukje_staff": outsider, "sejin_staff": sibling}


Call = Callable[[World, Tenants], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """How to call a route: its body, and whether it is a page (session cookie + CSRF form)."""

    call: Callable[[World, Tenants], dict[str, Any]]
    page: bool = False


def _none(_w: World, _t: Tenants) -> dict[str, Any]:
    return {}


def _roster_rows() -> list[dict[str, str]]:
    rows = _employer(PROJECT_A, "Hanbit Energy Solutions", 2)
    return [{**r, "worker_id": f"ZZ-{i:04d}"} for i, r in enumerate(rows, 1)]


def _roster(_w: World, _t: Tenants) -> dict[str, Any]:
    return {"files": {"file": ("roster.csv", roster_csv(_roster_rows()))}}


def _document(_w: World, t: Tenants) -> dict[str, Any]:
    return {"data": {"kind": t.doc_kind}, "files": {"file": ("letter.pdf", PDF)}}


def _form(**fields: Any) -> Call:
    return lambda _w, _t: {"data": fields}


API = "/api/v1"
#: (method, path) -> how to call it, for every route with an id in its path. Each call
#: would succeed (change something) for the rows' owner: a leak would show as a change.
RULES: dict[tuple[str, str], Rule] = {
    ("GET", f"{API}/organizations/{{org_id}}"): Rule(_none),
    ("GET", f"{API}/projects/{{project_id}}"): Rule(_none),
    ("GET", f"{API}/batches/{{batch_id}}"): Rule(_none),
    ("POST", f"{API}/batches/{{batch_id}}/members"): Rule(
        lambda w, _t: {"json": {"org_id": w.subs["sejin"]}}
    ),
    ("POST", f"{API}/batches/{{batch_id}}/roster"): Rule(_roster),
    ("POST", f"{API}/batches/{{batch_id}}/submit"): Rule(
        lambda _w, _t: {"json": {"confirm": True, "amber": "include"}}
    ),
    ("GET", f"{API}/batches/{{batch_id}}/submit"): Rule(_none),
    ("GET", f"{API}/batches/{{batch_id}}/trips"): Rule(_none),
    ("GET", f"{API}/batches/{{batch_id}}/screening.xlsx"): Rule(_none),
    ("GET", f"{API}/trips/{{trip_id}}"): Rule(_none),
    ("POST", f"{API}/trips/{{trip_id}}/cases"): Rule(lambda _w, _t: {"json": {"category": "L1A"}}),
    ("POST", f"{API}/trips/{{trip_id}}/facts"): Rule(
        lambda _w, _t: {"json": {"answers": {"essential_skills": "yes"}}}
    ),
    ("GET", f"{API}/cases/{{case_id}}"): Rule(_none),
    ("GET", f"{API}/cases/{{case_id}}/events"): Rule(_none),
    ("POST", f"{API}/cases/{{case_id}}/transitions"): Rule(
        lambda _w, _t: {"json": {"to": "submitted"}}
    ),
    ("GET", f"{API}/cases/{{case_id}}/annotation"): Rule(_none),
    # Assignment (issue #12): nobody outside the desk assigns, whatever the id (403).
    ("PUT", f"{API}/cases/{{case_id}}/assignee"): Rule(
        lambda w, _t: {"json": {"assignee_id": w.users["officer"].user_id}}
    ),
    ("GET", f"{API}/cases/{{case_id}}/documents"): Rule(_none),
    ("GET", f"{API}/cases/{{case_id}}/uploads"): Rule(_none),
    ("POST", f"{API}/cases/{{case_id}}/documents"): Rule(_document),
    ("GET", f"{API}/documents/{{document_id}}"): Rule(_none),
    ("GET", f"{API}/documents/{{document_id}}/content"): Rule(_none),
    ("POST", f"{API}/documents/{{document_id}}/review"): Rule(
        lambda _w, _t: {"json": {"status": "accepted"}}
    ),
    # The web pages (visadesk.web): a browser session, forms with the CSRF token.
    ("GET", "/projects/{project_id}"): Rule(_none, page=True),
    ("POST", "/projects/{project_id}/batches"): Rule(_form(name="intruder"), page=True),
    ("GET", "/batches/{batch_id}"): Rule(_none, page=True),
    ("POST", "/batches/{batch_id}/roster"): Rule(_roster, page=True),
    ("POST", "/batches/{batch_id}/roster/fix"): Rule(_form(pending="x"), page=True),
    ("POST", "/batches/{batch_id}/invite"): Rule(
        lambda w, _t: {"data": {"org_id": str(w.subs["sejin"])}}, page=True
    ),
    ("POST", "/batches/{batch_id}/submit"): Rule(_form(confirm="yes", amber="include"), page=True),
    ("GET", "/batches/{batch_id}/submit"): Rule(_none, page=True),
    ("GET", "/batches/{batch_id}/screening.xlsx"): Rule(_none, page=True),
    ("GET", "/trips/{trip_id}"): Rule(_none, page=True),
    ("POST", "/trips/{trip_id}/facts"): Rule(_form(essential_skills="yes"), page=True),
    ("GET", "/cases/{case_id}"): Rule(_none, page=True),
    ("GET", "/cases/{case_id}/confirm"): Rule(
        lambda _w, _t: {"params": {"to": "closed"}}, page=True
    ),
    ("POST", "/cases/{case_id}/transition"): Rule(_form(to="submitted"), page=True),
    ("POST", "/cases/{case_id}/assign"): Rule(_form(assignee="me"), page=True),
    ("POST", "/cases/{case_id}/documents"): Rule(_document, page=True),
    ("GET", "/cases/{case_id}/annotation.txt"): Rule(_none, page=True),
    ("GET", "/cases/{case_id}/traveller"): Rule(_none, page=True),
    ("GET", "/cases/{case_id}/traveller.pdf"): Rule(_none, page=True),
    ("POST", "/documents/{document_id}/review"): Rule(_form(status="accepted"), page=True),
    # Document requests and notifications (issue #12): a notification is its user's only.
    ("POST", f"{API}/cases/{{case_id}}/document-requests"): Rule(
        lambda _w, t: {"json": {"kinds": [t.doc_kind]}}
    ),
    ("GET", f"{API}/cases/{{case_id}}/document-requests"): Rule(_none),
    ("POST", f"{API}/notifications/{{notification_id}}/read"): Rule(_none),
    ("POST", "/cases/{case_id}/document-request"): Rule(
        lambda _w, t: {"data": {"kinds": [t.doc_kind]}}, page=True
    ),
    ("POST", "/notifications/{notification_id}/read"): Rule(_none, page=True),
    # Account management (issue #9): a role without it is refused whatever the id (403,
    # the same for a missing user); an admin reaches only its own tenant's users.
    ("POST", f"{API}/users/{{user_id}}/disable"): Rule(_none),
    ("POST", f"{API}/users/{{user_id}}/enable"): Rule(_none),
    ("POST", f"{API}/users/{{user_id}}/reset"): Rule(_none),
    ("POST", "/users/{user_id}/disable"): Rule(_none, page=True),
    ("POST", "/users/{user_id}/enable"): Rule(_none, page=True),
    ("POST", "/users/{user_id}/reset"): Rule(_none, page=True),
}

_PARAM = re.compile(r"{(\w+)}")


def _id_routes(app: FastAPI) -> Iterator[tuple[str, str, list[str]]]:
    """Every (method, path, path parameters) of the app whose path names a row id."""
    for context in iter_route_contexts(app.routes):
        path, methods = context.path, context.methods
        if path is None or methods is None:  # mounts (static files) have no rows behind them
            continue
        params = _PARAM.findall(path)
        if not any(p.endswith("_id") for p in params):
            continue
        for method in sorted(set(methods) - {"HEAD"}):
            yield method, path, params


def test_every_route_with_an_id_has_a_rule(client: TestClient) -> None:
    found = {(m, p) for m, p, _ in _id_routes(_app(client))}
    assert found - set(RULES) == set(), "routes with ids and no isolation rule"
    assert set(RULES) - found == set(), "rules for routes that no longer exist"


# -- the database, before and after ----------------------------------------------------------


def _snapshot(desk: Desk) -> tuple[Any, ...]:
    """Row counts of every table, the audit head, and the states that calls could change."""
    with read_session(desk.sessions) as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        )
        head = s.execute(select(AuditHead.seq, AuditHead.hash)).one()
        cases = s.execute(select(Case.id, Case.state, Case.version).order_by(Case.id)).all()
        docs = s.execute(select(Document.id, Document.status).order_by(Document.id)).all()
        batches = s.execute(select(Batch.id, Batch.state).order_by(Batch.id)).all()
        members = s.execute(select(BatchMember.batch_id, BatchMember.org_id)).all()
        trips = s.execute(select(Trip.id, Trip.facts).order_by(Trip.id)).all()
    files = sorted(p.name for p in desk.settings.documents_dir.rglob("*") if p.is_file())
    digest = hashlib.sha256(repr((cases, docs, batches, sorted(members), trips)).encode())
    return counts, tuple(head), digest.hexdigest(), tuple(files)


def _session(desk: Desk, who: str) -> tokens.Issued:
    with write_session(desk.sessions) as s:
        return accounts.authenticate(
            s, email=f"{who}@example.test", password=PASSWORD, client="test", kind="session"
        )


@dataclass(frozen=True)
class Attacker:
    client: TestClient
    world: World
    tenants: Tenants
    who: str
    session: tokens.Issued


def _request(a: Attacker, method: str, url: str, rule: Rule) -> Any:
    client, world, who, session, tenants = a.client, a.world, a.who, a.session, a.tenants
    kwargs = rule.call(world, tenants)
    if not rule.page:
        return client.request(method, url, headers=world.auth(who), **kwargs)
    assert session.csrf_token is not None
    client.cookies.set(SESSION_COOKIE, session.token)
    if method != "GET":
        kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": session.csrf_token}
    try:
        return client.request(
            method,
            url,
            headers={CSRF_HEADER: session.csrf_token},
            follow_redirects=False,
            **kwargs,
        )
    finally:
        client.cookies.clear()


def _app(client: TestClient) -> FastAPI:
    assert isinstance(client.app, FastAPI)
    return client.app


def test_other_tenants_ids_are_not_found(
    client: TestClient, desk: Desk, world: World, tenants: Tenants
) -> None:
    routes = list(_id_routes(_app(client)))
    targets = _targets(world, tenants)
    attackers = [Attacker(client, world, tenants, who, _session(desk, who)) for who in targets]
    before = _snapshot(desk)
    checked = 0
    for attacker in attackers:
        for method, path, params in routes:
            rule = RULES[(method, path)]
            # The answer for a row that does not exist: the others' rows must get the same.
            absent = _request(attacker, method, path.format(**dict.fromkeys(params, ABSENT)), rule)
            # 404 for a row that does not exist; 403 only where the role may not do this
            # to any row (account management for staff): the same answer for every id.
            assert absent.status_code in (403, 404), (attacker.who, method, path, absent.text)
            for ids in itertools.product(*(targets[attacker.who][p] for p in params)):
                url = path.format(**dict(zip(params, ids, strict=True)))
                r = _request(attacker, method, url, rule)
                where = f"{attacker.who} {method} {url}: {r.status_code} {r.text[:300]}"
                assert r.status_code == absent.status_code, where
                if not rule.page:
                    expected = "not_found" if absent.status_code == 404 else "forbidden"
                    assert r.json()["error"]["code"] == expected, where
                    assert absent.json()["error"]["code"] == expected, where
                checked += 1
    assert checked >= 3 * len(RULES)
    assert _snapshot(desk) == before, "a refused call changed the database"


def test_owner_reaches_the_same_routes(client: TestClient, world: World, tenants: Tenants) -> None:
    """The rows the attackers were refused are there: their owners read them."""
    daeseong = world.auth("daeseong_staff")
    for url in (
        f"/api/v1/batches/{tenants.batch_private}",
        f"/api/v1/trips/{tenants.trips['daeseong']}",
        f"/api/v1/cases/{tenants.cases['daeseong']}",
        f"/api/v1/cases/{tenants.cases['daeseong']}/annotation",
        f"/api/v1/documents/{tenants.docs['daeseong']}/content",
        f"/api/v1/organizations/{world.subs['daeseong']}",
    ):
        r = client.get(url, headers=daeseong)
        assert r.status_code == 200, (url, r.text)
    r = client.get(f"/api/v1/cases/{tenants.cases['daeseong']}", headers=world.auth("hanbit_admin"))
    assert r.status_code == 200


# -- lists ---------------------------------------------------------------------------------


def _get(client: TestClient, world: World, who: str, url: str, **params: Any) -> Any:
    r = client.get(url, headers=world.auth(who), params=params)
    assert r.status_code == 200, (who, url, r.text)
    return r.json()


def test_lists_hold_no_other_tenants_rows(
    client: TestClient, world: World, tenants: Tenants
) -> None:
    hanbit = world.sponsors["hanbit"]
    a_orgs = {hanbit, world.subs["sejin"], world.subs["daeseong"]}
    for who, own in (
        ("haeon_admin", world.sponsors["haeon"]),
        ("kukje_staff", world.subs["kukje"]),
    ):
        # Every state (view=all): the default is the caller's open work only.
        cases = _get(client, world, who, "/api/v1/cases", view="all")["items"]
        assert cases, who
        assert all(c["sponsor_id"] == world.sponsors["haeon"] for c in cases), who
        if who == "kukje_staff":
            assert {c["org_id"] for c in cases} == {own}
        assert (
            _get(client, world, who, "/api/v1/cases", view="all", sponsor_id=hanbit)["total"] == 0
        )
        for key in ("batch_id", "project_id"):
            value = tenants.batch_shared if key == "batch_id" else world.projects["hanbit"]
            assert (
                _get(client, world, who, "/api/v1/cases", view="all", **{key: value})["total"] == 0
            )
        batches = _get(client, world, who, "/api/v1/batches")
        assert [b["id"] for b in batches] == [tenants.batch_b], who
        projects = _get(client, world, who, "/api/v1/projects")
        assert [p["id"] for p in projects] == [world.projects["haeon"]], who
        orgs = {o["id"] for o in _get(client, world, who, "/api/v1/organizations")}
        assert own in orgs and not orgs & a_orgs, who
        users = _get(client, world, who, "/api/v1/users")
        assert users and not {u["org_id"] for u in users} & a_orgs, who
        stats = _get(client, world, who, "/api/v1/stats")
        assert stats["total"] == len(cases), who
        assert set(stats["by_sponsor"]) == {str(world.sponsors["haeon"])}, who
        assert str(world.projects["hanbit"]) not in stats["by_project"]
        assert _get(client, world, who, "/api/v1/stats", sponsor_id=hanbit)["total"] == 0


def test_subcontractor_lists_hold_only_its_own_staff(
    client: TestClient, world: World, tenants: Tenants
) -> None:
    sejin = world.subs["sejin"]
    cases = _get(client, world, "sejin_staff", "/api/v1/cases", view="all")["items"]
    assert cases and {c["org_id"] for c in cases} == {sejin}
    trips = _get(client, world, "sejin_staff", f"/api/v1/batches/{tenants.batch_shared}/trips")
    assert trips and {t["org_id"] for t in trips} == {sejin}
    batches = _get(client, world, "sejin_staff", "/api/v1/batches")
    assert [b["id"] for b in batches] == [tenants.batch_shared]
    # The batch's other subcontractors are not named to it.
    assert batches[0]["members"] == [sejin]
    assert [p["id"] for p in _get(client, world, "sejin_staff", "/api/v1/projects")] == [
        world.projects["hanbit"]
    ]
    orgs = {o["id"] for o in _get(client, world, "sejin_staff", "/api/v1/organizations")}
    assert orgs == {sejin, world.sponsors["hanbit"]}
    users = _get(client, world, "sejin_staff", "/api/v1/users")
    assert {u["org_id"] for u in users} == {sejin}
    stats = _get(client, world, "sejin_staff", "/api/v1/stats")
    assert stats["total"] == len(cases)
    assert stats["documents"] == {}  # the uploads are Hanbit's and Daeseong's
    # The sponsor sees everyone in its batches, and both subcontractors.
    sponsor = _get(client, world, "hanbit_admin", f"/api/v1/batches/{tenants.batch_shared}")
    assert sorted(sponsor["members"]) == sorted([sejin, world.subs["daeseong"]])


def test_ids_in_bodies_are_scoped(client: TestClient, desk: Desk, world: World) -> None:
    haeon = world.auth("haeon_admin")
    before = _snapshot(desk)
    r = client.post(
        "/api/v1/batches", json={"project_id": world.projects["hanbit"], "name": "x"}, headers=haeon
    )
    assert r.status_code == 404, r.text
    r = client.post(
        "/api/v1/users",
        json={
            "org_id": world.subs["sejin"],
            "email": "intruder@example.test",
            "name": "x",
            "role": "subcontractor_staff",
            "password": "long enough password",
        },
        headers=haeon,
    )
    assert r.status_code == 404, r.text
    with write_session(desk.sessions) as s:
        own = projects.create_batch(
            s, world.users["haeon_admin"], project_id=world.projects["haeon"], name="own"
        ).id
    before = _snapshot(desk)
    r = client.post(
        f"/api/v1/batches/{own}/members", json={"org_id": world.subs["sejin"]}, headers=haeon
    )
    assert r.status_code == 404, r.text
    assert _snapshot(desk) == before
    # A subcontractor a sponsor creates is its own, whatever sponsor the body names.
    r = client.post(
        "/api/v1/organizations",
        json={"kind": "subcontractor", "name": "New Sub", "sponsor_id": world.sponsors["hanbit"]},
        headers=haeon,
    )
    assert r.status_code == 201, r.text
    new = r.json()["id"]
    assert new in {o["id"] for o in _get(client, world, "haeon_admin", "/api/v1/organizations")}
    assert new not in {
        o["id"] for o in _get(client, world, "hanbit_admin", "/api/v1/organizations")
    }
