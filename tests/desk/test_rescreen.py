"""Re-screening stored trips on a rule change: a new screening per changed trip."""

from __future__ import annotations

import json

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.desk.fixtures import TODAY, World, roster_csv, roster_rows
from visadesk.cli import rescreen_cmd
from visadesk.desk import rescreen
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Screening, Trip
from visadesk.desk.runtime import Desk
from visadesk.policy.load import load_policy


def _upload(client: TestClient, world: World, rows: int = 12) -> int:
    sponsor = world.auth("hanbit_admin")
    batch = client.post(
        "/api/v1/batches",
        json={"project_id": world.projects["hanbit"], "name": "B"},
        headers=sponsor,
    ).json()["id"]
    data = roster_csv(roster_rows("Hanbit GA Cell Plant", limit=rows))
    r = client.post(
        f"/api/v1/batches/{batch}/roster", files={"file": ("r.csv", data)}, headers=sponsor
    )
    assert r.status_code == 200, r.text
    return int(batch)


def test_same_rules_change_nothing(client: TestClient, world: World, desk: Desk) -> None:
    _upload(client, world)
    with write_session(desk.sessions) as s:
        assert rescreen.rescreen(s, None, desk.policy, TODAY) == []
        assert s.scalar(select(func.count(Screening.id))) == 12


def test_proposed_layer_adds_a_category_to_every_trip(
    client: TestClient, world: World, desk: Desk
) -> None:
    _upload(client, world)
    e4 = load_policy("baseline+e4")
    with write_session(desk.sessions) as s:
        changes = rescreen.rescreen(s, None, e4, TODAY)
    assert len(changes) == 12
    for change in changes:
        assert "E4" not in change["before"]["statuses"]
        assert "E4" in change["after"]["statuses"]
        assert change["after"]["policy"] == e4.version
    with read_session(desk.sessions) as s:
        # The old screening is kept; the trip points at the new one.
        assert s.scalar(select(func.count(Screening.id))) == 24
        for trip in s.scalars(select(Trip)):
            assert trip.screening is not None and trip.screening.policy_version == e4.version


def test_only_a_desk_supervisor_may_rescreen(world: World, desk: Desk) -> None:
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as error:
        rescreen.rescreen(s, world.users["officer"], desk.policy, TODAY)
    assert error.value.status == 403


def test_cli_dry_run_stores_nothing(
    client: TestClient, world: World, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    _upload(client, world, rows=5)
    monkeypatch.setenv("VISADESK_DATABASE_URL", desk.settings.database_url)
    monkeypatch.setenv("VISADESK_DATA_DIR", str(desk.settings.data_dir))
    monkeypatch.setenv("VISADESK_DATA_KEYS", ",".join(desk.settings.data_keys))
    monkeypatch.setenv("VISADESK_SECRET_KEY", desk.settings.secret_key)
    monkeypatch.setenv("VISADESK_AUDIT_KEYS", ",".join(desk.settings.audit_keys))
    app = typer.Typer()
    rescreen_cmd.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a second command keeps "rescreen" a subcommand
    args = ["rescreen", "--policy", "baseline+e4", "--as-of", TODAY.isoformat()]
    dry = CliRunner().invoke(app, [*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert len(json.loads(dry.output)["changes"]) == 5
    with read_session(desk.sessions) as s:
        assert s.scalar(select(func.count(Screening.id))) == 5
    done = CliRunner().invoke(app, [*args, "--lang", "ko"])
    assert done.exit_code == 0, done.output
    assert "5건" in done.output and "법률 자문" in done.output
    with read_session(desk.sessions) as s:
        assert s.scalar(select(func.count(Screening.id))) == 10
