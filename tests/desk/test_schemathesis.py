"""Property-based API tests: schemathesis generates requests from /openapi.json.

Every operation of the API is called with generated data (valid and invalid)
by a sponsor administrator and by a desk officer, over a database holding a
small world (organizations, a batch with a roster, cases, a document). No
answer may be a server error, and every answer must match what the schema
declares (status code and body). SQLite only, to keep the suite fast: the
behaviour under test is the application's, not the database's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import secrets
from collections.abc import Callable
from typing import Any, Final

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.desk.fixtures import TODAY, World, roster_csv, roster_rows
from visadesk.api.accounts_routes import router as accounts_router
from visadesk.api.cases_routes import router as cases_router
from visadesk.api.queue_routes import router as queue_router
from visadesk.api.routes import router
from visadesk.desk import documents, projects, tokens, uploads
from visadesk.desk.db import write_session
from visadesk.desk.models import ApiToken, Case, User, utcnow
from visadesk.desk.runtime import Desk

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Every operation of the API, as schemathesis labels them ("GET /api/v1/cases").
OPERATIONS: Final = sorted(
    f"{method} {route.path}"
    for route in (
        *router.routes,
        *queue_router.routes,
        *cases_router.routes,
        *accounts_router.routes,
    )
    if isinstance(route, APIRoute)
    for method in route.methods or ()
)
ROLES: Final = ("hanbit_admin", "officer")
CHECKS: Final = [not_a_server_error, status_code_conformance, response_schema_conformance]
FUZZ: Final = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite") and os.environ.get("VISADESK_FUZZ_POSTGRES") != "1":
        pytest.skip(
            "schemathesis runs on SQLite only to keep the suite fast (it tests the API, "
            "not the database); VISADESK_FUZZ_POSTGRES=1 runs it on PostgreSQL too"
        )


@pytest.fixture
def filled(desk: Desk, world: World) -> World:
    """A batch with a roster, its subcontractor invited, a document: ids the fuzzer can hit."""
    u = world.users
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(
            s, u["hanbit_admin"], project_id=world.projects["hanbit"], name="fuzz"
        )
        projects.invite(s, u["hanbit_admin"], batch.id, world.subs["sejin"])
        rows = roster_rows("Hanbit GA Cell Plant", limit=12)
        uploads.upload_roster(
            s,
            u["hanbit_admin"],
            batch.id,
            data=roster_csv(rows),
            filename="roster.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        s.flush()
        case = s.scalars(select(Case).order_by(Case.id)).first()
        assert case is not None
        kinds = documents.required_kinds(s, case, desk.checklist)
        documents.upload(
            s,
            u["hanbit_admin"],
            case.id,
            kind=kinds[0],
            filename="letter.pdf",
            data=PDF,
            checklist=desk.checklist,
            documents_dir=desk.settings.documents_dir,
        )
    return world


def _fresh_token(desk: Desk, user_id: int) -> str:
    """A bearer token written straight to the database (logging out revokes the one used)."""
    secret = secrets.token_urlsafe(32)
    with write_session(desk.sessions) as s:
        s.add(
            ApiToken(
                user_id=user_id,
                kind="bearer",
                token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                expires_at=utcnow() + dt.timedelta(hours=1),
                password_tag=tokens.password_tag(s.get_one(User, user_id)),
            )
        )
    return secret


def _headers(desk: Desk, user_id: int, token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or _fresh_token(desk, user_id)}"}


def _fuzz(strategy: st.SearchStrategy[Any], headers: Callable[[], dict[str, str]]) -> None:
    @FUZZ
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        sent = headers()
        response = case.call(headers=sent)
        case.validate_response(response, checks=CHECKS, headers=sent)

    fuzz()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_never_fails(
    operation: str, client: TestClient, desk: Desk, filled: World
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = schema.find_operation_by_label(operation)
    assert found is not None, f"{operation} is not in /openapi.json"
    strategy = st.one_of(
        found.as_strategy(schemathesis.GenerationMode.POSITIVE),
        found.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )
    for who in ROLES:
        user_id, token = filled.users[who].user_id, filled.tokens[who]
        if operation.endswith("/auth/logout"):
            # Each call revokes the token it brings: a new one every time.
            _fuzz(strategy, functools.partial(_headers, desk, user_id, None))
        else:
            _fuzz(strategy, functools.partial(_headers, desk, user_id, token))
