"""Batch integrity through the API, on SQLite and PostgreSQL (issue #12, section 1).

A roster row is refused, naming row, column, value and why, when its employer is
neither the batch's sponsor nor a subcontractor invited into it, when a
subcontractor files anyone but its own staff, when its sponsor is another, and
when the person (same passport number, else same worker id within the sponsor)
already has an open case for an overlapping trip. A roster with refused rows
files nothing unless the uploader chose to file the rows that belong; the
summary counts new, updated, unchanged and refused people truthfully.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update

from tests.desk.fixtures import (
    TODAY,
    World,
    employer_rows,
    first_case,
    hanbit_batch,
    roster_csv,
    roster_rows,
)
from tests.desk.test_cli_desk import keep_keyring
from visadesk.desk import keys, projects, uploads
from visadesk.desk.crypto import keyring, use_keys
from visadesk.desk.db import read_session, write_session
from visadesk.desk.integrity import RowsRefusedError, passport_key
from visadesk.desk.models import Case, Person, Trip
from visadesk.desk.runtime import Desk

__all__ = ["keep_keyring"]

HANBIT = "Hanbit Energy Solutions"
SEJIN = "Sejin Plant Engineering & Construction"
HAEON_PROJECT = "Haeon Philadelphia Shipyard Modernization"


def _upload(
    client: TestClient,
    world: World,
    batch: int,
    rows: list[dict[str, str]],
    *,
    who: str = "hanbit_admin",
    skip: bool = False,
    lang: str = "en",
) -> Any:
    return client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": ("roster.csv", roster_csv(rows))},
        data={"skip_refused": "true"} if skip else {},
        headers={**world.auth(who), "Accept-Language": lang},
    )


def _refused(response: Any) -> dict[tuple[int, str], dict[str, Any]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "roster_refused", error
    return {(d["row"], d["column"]): d for d in error["details"]}


def _people(desk: Desk) -> int:
    with read_session(desk.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)


def _trips(desk: Desk) -> int:
    with read_session(desk.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(Trip)) or 0)


def _haeon_batch(desk: Desk, world: World) -> int:
    with write_session(desk.sessions) as s:
        admin = world.users["haeon_admin"]
        return projects.create_batch(s, admin, project_id=world.projects["haeon"], name="h").id


def _own(limit: int) -> list[dict[str, str]]:
    return employer_rows(HANBIT, limit)


# -- who belongs in a batch -------------------------------------------------------------------


def test_the_sample_with_a_blank_project_cell_refuses_the_other_sponsors_staff(
    client: TestClient, desk: Desk, world: World
) -> None:
    """The issue's path: the whole sample (two sponsors' staff), project cells blank."""
    batch = hanbit_batch(desk, world, "sejin", "daeseong", name="sample")
    rows = [{**r, "project": ""} for r in roster_rows()]
    haeon = {n for n, r in enumerate(rows, start=2) if r["sponsor"] != HANBIT}
    assert len(haeon) == 7
    refused = _refused(_upload(client, world, batch, rows))
    assert {row for row, _ in refused} == haeon
    for row in haeon:
        employer = refused[(row, "employer")]
        assert employer["code"] == "employer_not_in_batch"
        assert employer["value"] == "Haeon Marine Industries"
        assert HANBIT in employer["message"] and f"Row {row}" in employer["message"]
        assert refused[(row, "sponsor")]["code"] == "sponsor_not_batch"
    assert (_people(desk), _trips(desk)) == (0, 0)  # nothing filed

    r = _upload(client, world, batch, rows, skip=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["created"], body["refused"]) == (75, 68, 7)
    assert {d["row"] for d in body["refused_rows"]} == haeon
    with read_session(desk.sessions) as s:
        filed = set(s.scalars(select(Trip.worker_id)))
    assert not any(w.startswith("HM-") for w in filed) and len(filed) == 68


def test_a_sponsor_files_only_its_own_and_its_invited_subcontractors_staff(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="own")
    rows = [*_own(2), *employer_rows(SEJIN, 2)]
    refused = _refused(_upload(client, world, batch, rows))
    assert set(refused) == {(4, "employer"), (5, "employer")}
    assert refused[(4, "employer")]["value"] == SEJIN
    with write_session(desk.sessions) as s:
        projects.invite(s, world.users["hanbit_admin"], batch, world.subs["sejin"])
    r = _upload(client, world, batch, rows)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["refused"]) == (4, 0)


def test_an_employer_matches_its_organization_in_either_language_whatever_the_case(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="names")
    rows = _own(3)
    rows[0] = {**rows[0], "employer": "한빛에너지솔루션", "sponsor": "한빛 에너지 솔루션"}
    rows[1] = {
        **rows[1],
        "employer": "  hanbit   ENERGY solutions ",
        "sponsor": "HANBIT ENERGY SOLUTIONS",
    }
    rows[2] = {**rows[2], "employer": "", "sponsor": ""}  # blank: the filer's own
    r = _upload(client, world, batch, rows)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3


def test_a_subcontractor_files_only_its_own_staff(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, "sejin", "daeseong", name="subs")
    vendor = [r for r in roster_rows() if r["worker_id"] == "KB-0001"]
    rows = [*employer_rows(SEJIN, 2), *_own(1), *employer_rows("Daeseong Precision Machinery", 1)]
    rows += vendor
    refused = _refused(_upload(client, world, batch, rows, who="sejin_staff"))
    assert set(refused) == {(4, "employer"), (5, "employer"), (6, "employer")}
    assert {d["code"] for d in refused.values()} == {"employer_not_filer"}
    assert SEJIN in refused[(4, "employer")]["message"]
    # The sponsor itself may file a foreign vendor's technicians (no organization here).
    r = _upload(client, world, batch, vendor)
    assert r.status_code == 200, r.text


def test_refusals_read_in_korean(client: TestClient, desk: Desk, world: World) -> None:
    batch = hanbit_batch(desk, world, name="ko")
    r = _upload(client, world, batch, [*_own(1), *employer_rows(SEJIN, 1)], lang="ko")
    refused = _refused(r)
    message = refused[(3, "employer")]["message"]
    assert "3행" in message and "협력사" in message
    assert "제출하지 않았습니다" in r.json()["error"]["message"]


# -- one open case per person and trip --------------------------------------------------------


def test_a_second_open_case_for_an_overlapping_trip_is_refused_and_names_the_first(
    client: TestClient, desk: Desk, world: World
) -> None:
    first = hanbit_batch(desk, world, name="first")
    rows = _own(3)
    assert _upload(client, world, first, rows).status_code == 200
    existing = first_case(desk, first)
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, existing)
        worker = s.get_one(Trip, case.trip_id).worker_id
    row = next(n for n, r in enumerate(rows, start=2) if r["worker_id"] == worker)

    second = hanbit_batch(desk, world, name="second")
    refused = _refused(_upload(client, world, second, rows))
    detail = refused[(row, "passport_number")]
    assert detail["code"] == "open_case"
    assert detail["case_id"] == existing
    assert f"#{existing}" in detail["message"]
    passport = rows[row - 2]["passport_number"]
    assert passport not in str(refused) and detail["value"] != passport  # masked
    assert _trips(desk) == 3

    # The same people again into the first batch: an update, never a second case.
    again = _upload(client, world, first, rows)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"], again.json()["refused"]) == (
        0,
        3,
        0,
    )

    # Another trip of the same people (dates that do not overlap) is a new trip.
    later = [{**r, "trip_start": "2028-06-01", "trip_end": "2028-06-05"} for r in rows]
    r = _upload(client, world, second, later)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3


def test_the_same_passport_filed_by_another_sponsor_is_refused_without_its_case(
    client: TestClient, desk: Desk, world: World
) -> None:
    hanbit = hanbit_batch(desk, world, name="hanbit")
    mine = _own(1)
    assert _upload(client, world, hanbit, mine).status_code == 200
    theirs = roster_rows(HAEON_PROJECT, limit=1)
    # Haeon files the same person (same passport, spaced and lower-cased) for the same days.
    number = mine[0]["passport_number"]
    spaced = f"{number[:3].lower()} {number[3:]}"
    assert passport_key(spaced) == number
    theirs = [{**theirs[0], **{k: mine[0][k] for k in ("trip_start", "trip_end")}}]
    theirs[0]["passport_number"] = spaced
    refused = _refused(_upload(client, world, _haeon_batch(desk, world), theirs, who="haeon_admin"))
    detail = refused[(2, "passport_number")]
    assert detail["code"] == "open_case_elsewhere"
    assert detail["case_id"] is None and "#" not in detail["message"]
    assert "Hanbit" not in detail["message"]


def test_without_a_passport_the_worker_id_within_the_sponsor_decides(
    client: TestClient, desk: Desk, world: World
) -> None:
    """The issue's subcontractor: a row with a worker id the sponsor already filed, no
    passport number on either side."""
    first = hanbit_batch(desk, world, "sejin", name="one")
    own = [{**_own(1)[0], "passport_number": ""}]  # no passport number given
    assert _upload(client, world, first, own).status_code == 200
    second = hanbit_batch(desk, world, "sejin", name="two")
    theirs = [{**employer_rows(SEJIN, 1)[0], "worker_id": "HB-0001", "passport_number": ""}]
    theirs[0] |= {"trip_start": own[0]["trip_start"], "trip_end": own[0]["trip_end"]}
    refused = _refused(_upload(client, world, second, theirs, who="sejin_staff"))
    detail = refused[(2, "worker_id")]
    # Sejin may not see Hanbit's own case: it is told it exists, not which.
    assert (detail["code"], detail["value"], detail["case_id"]) == (
        "open_case_elsewhere",
        "HB-0001",
        None,
    )
    # The sponsor, who may see it, is told where (no passport: no category, no case yet).
    detail = _refused(_upload(client, world, second, own))[(2, "worker_id")]
    assert detail["code"] == "open_trip"
    assert f"batch {first}" in detail["message"]


def test_a_closed_case_does_not_block_a_new_trip(
    client: TestClient, desk: Desk, world: World
) -> None:
    first = hanbit_batch(desk, world, name="closed")
    rows = _own(3)
    assert _upload(client, world, first, rows).status_code == 200
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, first_case(desk, first))
        worker = s.get_one(Trip, case.trip_id).worker_id
        s.execute(update(Case).where(Case.id == case.id).values(state="closed"))
    again = [r for r in rows if r["worker_id"] == worker]
    r = _upload(client, world, hanbit_batch(desk, world, name="after"), again)
    assert r.status_code == 200, r.text


def test_one_passport_twice_in_a_roster_with_overlapping_dates_is_refused(
    client: TestClient, desk: Desk, world: World
) -> None:
    rows = _own(2)
    rows[1] = {**rows[1], "passport_number": rows[0]["passport_number"]}
    rows[1] |= {"trip_start": rows[0]["trip_start"], "trip_end": rows[0]["trip_end"]}
    refused = _refused(_upload(client, world, hanbit_batch(desk, world, name="twice"), rows))
    assert refused[(3, "passport_number")]["code"] == "same_person_in_roster"
    assert "2" in refused[(3, "passport_number")]["message"]


# -- the summary --------------------------------------------------------------------------------


def test_the_summary_counts_new_updated_unchanged_and_refused(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="summary")
    rows = _own(4)
    first = _upload(client, world, batch, rows[:3]).json()
    assert (first["created"], first["updated"], first["unchanged"], first["refused"]) == (
        3,
        0,
        0,
        0,
    )
    assert first["refused_rows"] == []
    changed = [*rows[:2], {**rows[2], "days_in_us_last_365": "99"}, rows[3]]
    changed += [{**roster_rows(HAEON_PROJECT, limit=1)[0], "project": ""}]
    r = _upload(client, world, batch, changed, skip=True, lang="ko")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (5, 1, 1, 2)
    assert body["refused"] == 1
    assert {(d["row"], d["column"], d["code"]) for d in body["refused_rows"]} == {
        (6, "employer", "employer_not_in_batch"),
        (6, "sponsor", "sponsor_not_batch"),
    }
    assert all("6행" in d["message"] for d in body["refused_rows"])


# -- the passport's blind index ---------------------------------------------------------------


@pytest.mark.usefixtures("keep_keyring")
def test_the_passport_index_is_keyed_and_follows_a_key_rotation(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="keys")
    rows = _own(2)
    assert _upload(client, world, batch, rows).status_code == 200
    with read_session(desk.sessions) as s:
        before = {r[0]: r[1] for r in s.execute(select(Person.worker_id, Person.passport_index))}
    number = rows[0]["passport_number"]
    assert before[rows[0]["worker_id"]] == keyring().blind_indexes(number)[0]
    assert number not in str(before[rows[0]["worker_id"]])

    old = desk.settings.data_keys
    new = Fernet.generate_key().decode()
    with write_session(desk.sessions) as s:
        keys.rotate(s, [new, *old])
    use_keys([new])  # the old key dropped: only the rotated index can match now
    with read_session(desk.sessions) as s:
        after = {r[0]: r[1] for r in s.execute(select(Person.worker_id, Person.passport_index))}
    assert after[rows[0]["worker_id"]] != before[rows[0]["worker_id"]]
    assert after[rows[0]["worker_id"]] == keyring().blind_indexes(number)[0]
    refused = _refused(_upload(client, world, hanbit_batch(desk, world, name="k2"), rows))
    assert refused[(2, "passport_number")]["code"] in {"open_case", "open_trip"}


# -- PostgreSQL: two filers of one person at once take turns ----------------------------------


def test_simultaneous_filings_of_one_person_by_two_sponsors_file_one(
    desk: Desk, world: World
) -> None:
    """The first upload holds the person's identity lock until it commits; the second
    waits for it (seen in pg_locks), then finds the first's trip and is refused."""
    if desk.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks: PostgreSQL (SQLite has one writer at a time)")
    hanbit = hanbit_batch(desk, world, name="race")
    haeon = _haeon_batch(desk, world)
    mine = _own(1)
    theirs = [{**roster_rows(HAEON_PROJECT, limit=1)[0], "project": ""}]
    theirs[0] |= {k: mine[0][k] for k in ("passport_number", "trip_start", "trip_end")}
    outcome: dict[str, BaseException | None] = {}

    def second() -> None:
        try:
            with write_session(desk.sessions) as s:
                _file(s, world, haeon, theirs, desk, who="haeon_admin")
            outcome["second"] = None
        except BaseException as error:
            outcome["second"] = error

    thread = threading.Thread(target=second)
    with write_session(desk.sessions) as s:
        _file(s, world, hanbit, mine, desk, who="hanbit_admin")
        thread.start()
        deadline = time.monotonic() + 20
        while not _waiting_on_advisory_lock(desk) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_advisory_lock(desk), "the second upload did not wait"
    thread.join(30)
    assert isinstance(outcome["second"], RowsRefusedError)
    assert outcome["second"].refusals[0].code == "open_case_elsewhere"
    assert _trips(desk) == 1


def _file(
    s: Any, world: World, batch: int, rows: list[dict[str, str]], desk: Desk, *, who: str
) -> None:
    uploads.upload_roster(
        s,
        world.users[who],
        batch,
        data=roster_csv(rows),
        filename="r.csv",
        policy=desk.policy,
        as_of=TODAY,
    )


def _waiting_on_advisory_lock(desk: Desk) -> bool:
    with desk.engine.connect() as conn:
        waiting = conn.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        ).scalar_one()
    return bool(waiting)


# -- the migration -------------------------------------------------------------------------------


@pytest.mark.usefixtures("keep_keyring")
def test_the_migration_indexes_people_filed_before_it_and_goes_back(tmp_path: Any) -> None:
    """Revision 0006 adds the index column, fills it for the people already
    stored (under the installed keys) and drops it again on downgrade."""
    from alembic import command  # noqa: PLC0415 - this test only

    from visadesk.desk.db import _alembic_config, make_engine, upgrade  # noqa: PLC0415

    use_keys([Fernet.generate_key().decode()])
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0005")  # the revision before it
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organization (id, kind, name, created_at)"
                " VALUES (1, 'sponsor', 'S', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO person (id, org_id, worker_id, family_name, given_name,"
                " passport_number, created_at, updated_at)"
                " VALUES (1, 1, 'W1', 'KIM', 'A', :p, '2026-01-01', '2026-01-01')"
            ),
            {"p": keyring().encrypt("m514 91227")},
        )
    upgrade(engine)
    with engine.connect() as conn:
        index = conn.execute(text("SELECT passport_index FROM person")).scalar_one()
    assert index == keyring().blind_indexes("M51491227")[0]
    config = _alembic_config(str(engine.url))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    with engine.connect() as conn:
        columns = [row[1] for row in conn.execute(text("PRAGMA table_info(person)"))]
    assert "passport_index" not in columns
    engine.dispose()
