"""A batch walked from roster upload to issued and closed, through the API, by each role."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.desk.fixtures import FINAL, SUBMIT_ALL, World, roster_csv, roster_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rows(employer: str) -> list[dict[str, str]]:
    return [r for r in roster_rows("Hanbit GA Cell Plant") if r["employer"] == employer]


def test_batch_from_upload_to_issued(client: TestClient, world: World) -> None:  # noqa: PLR0915
    sponsor, sejin, officer = (
        world.auth("hanbit_admin"),
        world.auth("sejin_staff"),
        world.auth("officer"),
    )
    r = client.post(
        "/api/v1/batches",
        json={"project_id": world.projects["hanbit"], "name": "Q1 2027"},
        headers=sponsor,
    )
    assert r.status_code == 201, r.text
    batch = r.json()["id"]
    r = client.post(
        f"/api/v1/batches/{batch}/members", json={"org_id": world.subs["sejin"]}, headers=sponsor
    )
    assert r.status_code == 200 and r.json()["members"] == [world.subs["sejin"]]

    own = _rows("Hanbit Energy Solutions")
    r = client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": ("hanbit.csv", roster_csv(own))},
        headers=sponsor,
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == len(own)
    subs = _rows("Sejin Plant Engineering & Construction")
    r = client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": ("sejin.csv", roster_csv(subs))},
        headers=sejin,
    )
    assert r.status_code == 200, r.text

    # The subcontractor sees only its own staff; the sponsor sees everyone in its batch.
    mine = client.get(f"/api/v1/batches/{batch}/trips", headers=sejin).json()
    assert {t["worker_id"] for t in mine} == {r["worker_id"] for r in subs}
    everyone = client.get(f"/api/v1/batches/{batch}/trips", headers=sponsor).json()
    assert len(everyone) == len(own) + len(subs)
    # Personal data is masked in lists.
    assert all(
        t["person"]["passport_number"] is None or "*" in t["person"]["passport_number"]
        for t in everyone
    )

    r = client.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=sponsor)
    assert r.status_code == 200, r.text
    submitted = r.json()["submitted"]
    assert submitted > 0

    queue = client.get(
        "/api/v1/cases", params={"batch_id": batch, "category": "B1"}, headers=officer
    ).json()
    assert queue["total"] > 0
    urgencies = [c["urgency_date"] for c in queue["items"]]
    assert urgencies == sorted(urgencies)
    case = next(c for c in queue["items"] if c["worker_id"].startswith("HB"))
    cid = case["id"]

    def move(to: str, who: dict[str, str], **extra: object) -> dict[str, Any]:
        asked = {"to": to, **FINAL.get(to, {}), **extra}
        r = client.post(f"/api/v1/cases/{cid}/transitions", json=asked, headers=who)
        assert r.status_code == 200, (to, r.text)
        body: dict[str, Any] = r.json()
        return body

    move("in_review", officer)
    # A bare move cannot ask for documents (issue #12): the request names its items.
    bare = {"to": "documents_requested", "comment": "Please send the employment letter"}
    r = client.post(f"/api/v1/cases/{cid}/transitions", json=bare, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "request_needs_request"
    checklist = client.get(f"/api/v1/cases/{cid}/documents", headers=sponsor).json()
    required = [i["id"] for i in checklist if i["required"]]
    assert required
    asked = {"kinds": required, "note": "Please send the employment letter"}
    r = client.post(f"/api/v1/cases/{cid}/document-requests", json=asked, headers=officer)
    assert r.status_code == 201, r.text
    for kind in required:
        r = client.post(
            f"/api/v1/cases/{cid}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF)},
            headers=sponsor,
        )
        assert r.status_code == 201, r.text
        r = client.post(
            f"/api/v1/documents/{r.json()['id']}/review",
            json={"status": "accepted"},
            headers=officer,
        )
        assert r.status_code == 200, r.text
    move("in_review", sponsor)
    move("ready_for_interview", officer)
    move("interview_scheduled", officer, interview_at="2026-12-10T09:30:00+09:00")
    detail = move("approved", officer)
    assert detail["annotation"]["en"].startswith("B-1 | ")
    assert "Hanbit GA Cell Plant" in detail["annotation"]["en"]
    move("issued", officer)
    move("travelled", sponsor)
    detail = move("closed", sponsor)
    assert [e["to_state"] for e in detail["events"]] == [
        "draft",
        "submitted",
        "in_review",
        "documents_requested",
        "in_review",
        "ready_for_interview",
        "interview_scheduled",
        "approved",
        "issued",
        "travelled",
        "closed",
    ]
    r = client.get("/api/v1/audit/verify", headers=world.auth("auditor"))
    assert r.status_code == 200 and r.json()["problems"] == []
    assert r.json()["checked"] > submitted
