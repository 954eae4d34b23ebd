"""The audit log read entry by entry (desk/audit_view.py) and its API (/api/v1/audit/entries):
who may read it, its filters, masking, paging, exports and the chain's verification."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.desk.fixtures import (
    World,
    accept_documents,
    employer_rows,
    file_roster,
    first_case,
    hanbit_batch,
)
from visadesk.desk import audit, audit_view
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import AuditEntry
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

ENTRIES = "/api/v1/audit/entries"


def _get(client: TestClient, world: World, who: str, **params: Any) -> Any:
    return client.get(ENTRIES, params=params, headers=world.auth(who))


def _case_with_documents(desk: Desk, world: World) -> int:
    """A draft B-1 case of Sejin's staff with its required documents accepted."""
    batch = hanbit_batch(desk, world, "sejin", name="audit")
    rows = employer_rows("Sejin Plant Engineering & Construction")
    file_roster(desk, world, batch, rows, who="sejin_staff", filename="sejin.csv")
    case = first_case(desk, batch, "B1")
    accept_documents(desk, world, case, who="sejin_staff")
    return case


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_the_auditor_and_the_desk_admin_read_the_log(
    client: TestClient, world: World, who: str
) -> None:
    r = _get(client, world, who)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 10 and body["page"] == 1
    seqs = [e["seq"] for e in body["items"]]
    assert seqs == sorted(seqs, reverse=True)  # newest first


@pytest.mark.parametrize(
    "who", ["supervisor", "officer", "hanbit_admin", "hanbit_staff", "sejin_staff"]
)
def test_no_other_role_reads_the_log(client: TestClient, world: World, who: str) -> None:
    """Least privilege: the supervisor verifies the chain (/audit/verify) but does not read it."""
    r = _get(client, world, who)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    export = client.get(ENTRIES + "/export", headers=world.auth(who))
    assert export.status_code == 403


def test_filters_by_action_family_actor_and_object(
    client: TestClient, desk: Desk, world: World
) -> None:
    case = _case_with_documents(desk, world)
    logins = _get(client, world, "auditor", action="auth").json()
    assert logins["total"] >= 10
    assert {e["action"] for e in logins["items"]} == {"auth.login"}
    exact = _get(client, world, "auditor", action="document.upload", per_page=200).json()
    assert exact["total"] >= 2 and {e["action"] for e in exact["items"]} == {"document.upload"}
    # The actor by e-mail (any case) or id; the command line as "system".
    admin_id = world.users["hanbit_admin"].user_id
    by_email = _get(client, world, "auditor", actor="Hanbit_Admin@example.test").json()
    by_id = _get(client, world, "auditor", actor=str(admin_id)).json()
    assert by_email["total"] == by_id["total"] > 0
    assert {e["actor_id"] for e in by_id["items"]} == {admin_id}
    system = _get(client, world, "auditor", actor="system").json()
    assert system["total"] > 0 and {e["actor_id"] for e in system["items"]} == {None}
    nobody = _get(client, world, "auditor", actor="nobody@example.test").json()
    assert nobody["total"] == 0
    # A case: its own entries and its documents'.
    story = _get(client, world, "auditor", entity="case", entity_id=str(case), per_page=200)
    items = story.json()["items"]
    assert {e["action"] for e in items} >= {"document.upload", "document.review"}
    uploads = {e["entity_id"] for e in items if e["action"] == "document.upload"}
    assert all(e["data"]["case"] == case for e in items if e["action"] == "document.upload")
    assert all(
        (e["entity"], e["entity_id"]) == ("case", str(case))
        or (e["entity"] == "document" and e["entity_id"] in uploads)
        for e in items
    )
    users = _get(client, world, "auditor", entity="user").json()
    assert users["total"] > 0 and {e["entity"] for e in users["items"]} == {"user"}


def test_filters_by_day_in_seoul(client: TestClient, desk: Desk, world: World) -> None:
    with read_session(desk.sessions) as s:
        first = s.get_one(AuditEntry, 1).at
    day = first.astimezone(audit_view.KST).date()
    whole = _get(client, world, "auditor").json()["total"]
    assert _get(client, world, "auditor", since=day.isoformat()).json()["total"] == whole
    before = (day - dt.timedelta(days=1)).isoformat()
    assert _get(client, world, "auditor", until=before).json()["total"] == 0
    after = (day + dt.timedelta(days=1)).isoformat()
    assert _get(client, world, "auditor", since=after).json()["total"] == 0


def test_pages_hold_every_entry_once(client: TestClient, world: World) -> None:
    total = _get(client, world, "auditor").json()["total"]
    seen: list[int] = []
    page = 1
    while True:
        body = _get(client, world, "auditor", page=page, per_page=7).json()
        seen += [e["seq"] for e in body["items"]]
        if page >= body["pages"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_bad_filter_names_every_problem(client: TestClient, world: World, lang: str) -> None:
    r = client.get(
        ENTRIES,
        params={
            "since": "27/11/2026",
            "until": "2026-01-01",
            "actor": "x y",
            "action": "DROP TABLE",
            "entity_id": "a b",
            "lang": lang,
        },
        headers=world.auth("auditor"),
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "audit_filter"
    fields = [(d["field"], d["value"], d["expected"]) for d in error["details"]]
    assert fields == [
        ("since", "27/11/2026", "date"),
        ("actor", "x y", "actor"),
        ("action", "DROP TABLE", "action"),
        ("entity_id", "a b", "object_id"),
    ]
    expected = t("audit_view.expected.date", lang)
    assert "“27/11/2026”" in error["message"] and expected in error["message"]
    # An "until" before "since" is named too.
    r = _get(client, world, "auditor", since="2026-12-02", until="2026-12-01")
    assert [d["field"] for d in r.json()["error"]["details"]] == ["until"]


def test_actors_are_masked_and_no_email_leaks(client: TestClient, world: World) -> None:
    r = _get(client, world, "auditor", per_page=200)
    shown = {e["actor"] for e in r.json()["items"] if e["actor_id"]}
    assert "hanbi*******@example.test" in shown
    assert "hanbit_admin@example.test" not in r.text
    for kind in ("csv", "jsonl"):
        export = client.get(
            ENTRIES + "/export", params={"format": kind}, headers=world.auth("admin")
        )
        assert export.status_code == 200
        assert "hanbit_admin@example.test" not in export.text
        assert "hanbi*******@example.test" in export.text


def test_masked_email_keeps_the_domain() -> None:
    assert audit_view.masked_email("officer@desk.example") == "offi***@desk.example"
    assert audit_view.masked_email("ab@x.kr") == "a*@x.kr"


def test_the_exports_hold_the_filtered_log(client: TestClient, desk: Desk, world: World) -> None:
    _case_with_documents(desk, world)
    params = {"action": "document"}
    total = _get(client, world, "auditor", **params).json()["total"]
    assert total >= 2
    r = client.get(
        ENTRIES + "/export",
        params={**params, "format": "csv", "lang": "ko"},
        headers=world.auth("auditor"),
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="visadesk-audit.csv"' in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == [t(f"audit_view.col.{name}", "ko") for name in audit_view.EXPORT_FIELDS]
    assert len(rows) == total + 1
    action = rows[0].index(t("audit_view.col.action", "ko"))
    assert {row[action] for row in rows[1:]} <= {"document.upload", "document.review"}
    r = client.get(
        ENTRIES + "/export", params={**params, "format": "jsonl"}, headers=world.auth("auditor")
    )
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == total
    assert all(list(line) == list(audit_view.EXPORT_FIELDS) for line in lines)
    assert [line["seq"] for line in lines] == sorted(line["seq"] for line in lines)
    bad = client.get(ENTRIES + "/export", params={"format": "xml"}, headers=world.auth("auditor"))
    assert bad.status_code == 422


def test_csv_cells_are_never_formulas() -> None:
    row = audit_view.ShownEntry(
        1,
        dt.datetime(2026, 12, 3, tzinfo=dt.UTC),
        None,
        "",
        "",
        "=HYPERLINK(1)",
        "case.open",
        "case",
        "1",
        {},
        None,
        "0" * 64,
    )
    text_ = audit_view.to_csv([row], "en").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text_


def test_an_export_too_large_is_refused(
    desk: Desk, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_view, "MAX_EXPORT", 3)
    with read_session(desk.sessions) as s, pytest.raises(DeskError) as refused:
        audit_view.export_rows(s, world.users["auditor"], audit_view.AuditFilter())
    assert refused.value.code == "audit_export_too_large"
    assert refused.value.params["maximum"] == 3


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_verify_finds_an_edited_entry_in_the_readers_words(
    desk: Desk, world: World, lang: str
) -> None:
    auditor = world.users["auditor"]
    with read_session(desk.sessions) as s:
        found = audit_view.verify(s, auditor, desk.settings, lang)
    assert found.intact and found.problems == [] and found.report.checked >= 10
    with desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 5"))
    with read_session(desk.sessions) as s:
        found = audit_view.verify(s, auditor, desk.settings, lang)
    assert not found.intact
    assert found.problems == [t("desk_cli.audit.edited", lang, seq=5)]
    with read_session(desk.sessions) as s, pytest.raises(DeskError) as refused:
        audit_view.verify(s, world.users["officer"], desk.settings, lang)
    assert refused.value.status == 403


def test_verify_holds_the_chain_against_the_anchor_log(
    desk: Desk, world: World, tmp_path: Path
) -> None:
    """With VISADESK_AUDIT_ANCHOR set, the page's verification reads its checkpoints too,
    as ``visadesk audit verify --checkpoint`` would."""
    anchor = tmp_path / "anchor.jsonl"
    settings = replace(desk.settings, audit_anchor=anchor)
    auditor = world.users["auditor"]
    with read_session(desk.sessions) as s:
        assert audit_view.verify(s, auditor, settings, "en").checkpoints == 0  # no file yet
        audit.append_anchor(anchor, audit.checkpoint(s))
        found = audit_view.verify(s, auditor, settings, "en")
    assert found.intact and found.checkpoints == 1
    mark = json.loads(anchor.read_text(encoding="utf-8"))
    mark["hash"] = "f" * 64  # a checkpoint changed after the fact: its signature fails
    anchor.write_text(json.dumps(mark) + "\n", encoding="utf-8")
    with read_session(desk.sessions) as s:
        found = audit_view.verify(s, auditor, settings, "ko")
    assert not found.intact
    assert found.problems == [
        t("audit.verify.checkpoint_forged", "ko", seq=mark["seq"], source=str(anchor))
    ]
