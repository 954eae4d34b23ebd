"""One-off measurement: the web batch page of a batch of N trips (default 45,000).

    .venv/bin/python -m bench.batch_page [--trips 45000] [--runs 15] [--database-url URL]

Seeds the tests' small desk (``tests/harness.py``; SQLite in a temporary folder unless a URL is
given), files 20 real trips of the sample roster through the desk's service,
then copies them (people, trips, screenings) with Core inserts up to N trips,
and times ``GET /batches/{id}`` (first page, then a filtered page) as the
sponsor's admin in process. Prints the p50 and p90 in milliseconds. Not a
test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, insert, select, update
from tests.harness import DEMO_PASSWORD, seed_demo

from visadesk.desk import accounts, projects, uploads
from visadesk.desk.config import Settings
from visadesk.desk.db import write_session
from visadesk.desk.models import Person, Screening, Trip
from visadesk.desk.runtime import build_desk
from visadesk.server import create_app

TODAY = dt.date(2026, 11, 27)
PROJECT = "Hanbit GA Cell Plant"
CHUNK = 5_000


def _sample_csv() -> bytes:
    from tests.desk.fixtures import roster_csv, roster_rows  # noqa: PLC0415 - a dev script

    rows = [r for r in roster_rows(PROJECT) if r["employer"] == "Hanbit Energy Solutions"]
    return roster_csv(rows[:20])


def _columns(model: Any) -> list[str]:
    return [c.name for c in model.__table__.columns if c.name != "id"]


def seed(url: str | None, folder: Path, trips: int) -> tuple[Any, int]:
    settings = Settings(
        database_url=url or f"sqlite:///{folder / 'desk.db'}",
        data_dir=folder,
        data_keys=(Fernet.generate_key().decode(),),
        secret_key="bench-secret",  # noqa: S106 - a throwaway desk
        secure_cookies=False,
    )
    desk = build_desk(settings, today=lambda: TODAY)
    world = seed_demo(desk, DEMO_PASSWORD)
    admin = world.users["hanbit_admin"]
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(s, admin, project_id=world.projects["hanbit"], name="big")
        uploads.upload_roster(
            s,
            admin,
            batch.id,
            data=_sample_csv(),
            filename="r.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        batch_id = batch.id
    with desk.engine.begin() as conn:
        originals = conn.execute(
            select(Trip.__table__, Person.__table__.c.family_name, Person.__table__.c.given_name)
            .join(Person.__table__, Person.__table__.c.id == Trip.__table__.c.person_id)
            .where(Trip.__table__.c.batch_id == batch_id)
        ).all()
        screenings = {
            r.id: r._mapping
            for r in conn.execute(
                select(Screening.__table__).where(
                    Screening.__table__.c.trip_id.in_([o.id for o in originals])
                )
            )
        }
        made = len(originals)
        while made < trips:
            n = min(CHUNK, trips - made)
            people, trip_rows = [], []
            templates = [originals[(made + i) % len(originals)] for i in range(n)]
            for i, o in enumerate(templates):
                wid = f"BIG-{made + i:06d}"
                people.append(
                    {
                        "org_id": o.org_id,
                        "worker_id": wid,
                        "family_name": o.family_name,
                        "given_name": o.given_name,
                        "name_ko": None,
                        "nationality": "KR",
                        "passport_number": None,
                        "birth_date": None,
                    }
                )
            person_ids = (
                conn.execute(insert(Person.__table__).returning(Person.__table__.c.id), people)
                .scalars()
                .all()
            )
            for i, (o, pid) in enumerate(zip(templates, person_ids, strict=True)):
                row = {k: getattr(o, k) for k in _columns(Trip)}
                row.update(person_id=pid, worker_id=f"BIG-{made + i:06d}", screening_id=None)
                trip_rows.append(row)
            trip_ids = (
                conn.execute(insert(Trip.__table__).returning(Trip.__table__.c.id), trip_rows)
                .scalars()
                .all()
            )
            screening_rows = []
            for o, tid in zip(templates, trip_ids, strict=True):
                template = screenings[o.screening_id]
                row = {k: template[k] for k in _columns(Screening)}
                row["trip_id"] = tid
                screening_rows.append(row)
            screening_ids = (
                conn.execute(
                    insert(Screening.__table__).returning(Screening.__table__.c.id), screening_rows
                )
                .scalars()
                .all()
            )
            conn.execute(
                update(Trip.__table__)
                .where(Trip.__table__.c.id == bindparam("tid"))
                .values(screening_id=bindparam("sid")),
                [{"tid": t, "sid": s} for t, s in zip(trip_ids, screening_ids, strict=True)],
            )
            made += n
    return desk, batch_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=45_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: SQLite in a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="visadesk-batch-page-") as tmp:
        started = time.perf_counter()
        desk, batch_id = seed(args.database_url, Path(tmp), args.trips)
        print(f"seeded {args.trips:,} trips in {time.perf_counter() - started:.1f} s")
        with write_session(desk.sessions) as s:
            issued = accounts.authenticate(
                s,
                email="hanbit_admin@example.test",
                password=DEMO_PASSWORD,
                client="browser",
                kind="session",
            )
        with TestClient(create_app(desk), cookies={"visadesk_session": issued.token}) as c:
            for label, url in (
                ("first page", f"/batches/{batch_id}"),
                ("green, page 3", f"/batches/{batch_id}?light=green&page=3"),
            ):
                assert c.get(url).status_code == 200
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    r = c.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                times.sort()
                p90 = times[max(0, round(0.9 * len(times)) - 1)]
                print(
                    f"{label}: p50 {statistics.median(times):.0f} ms, p90 {p90:.0f} ms "
                    f"({args.runs} runs, {len(r.content):,} bytes)"
                )
        desk.engine.dispose()


if __name__ == "__main__":
    main()
