"""`visadesk keys rotate | new`: every value re-encrypted under the new key, in one go."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from tests.desk.fixtures import PASSWORD, TODAY, roster_csv, roster_rows
from tests.desk.test_cli_desk import desk_env, keep_keyring, run
from visadesk.desk import directory, keys, projects, tokens, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import AuditEntry, Person
from visadesk.desk.runtime import Desk

__all__ = ["keep_keyring"]

PERSON = sa.table("person", sa.column("id"), sa.column("passport_number"), sa.column("birth_date"))


def _file_people(desk: Desk, rows: int = 12) -> None:
    """A sponsor files part of the sample roster: people with encrypted personal data."""
    with write_session(desk.sessions) as s:
        sponsor = directory.create_org(s, None, kind="sponsor", name="Hanbit Energy Solutions")
        user = directory.add_user(
            s,
            None,
            org_id=sponsor.id,
            email="admin@hanbit.example",
            name="admin",
            role="sponsor_admin",
            password=PASSWORD,
        )
        me = tokens.principal_of(user)
        project = projects.create_project(
            s, me, name="Hanbit GA Cell Plant", worksite="Bryan County, GA", state="GA",
            sector="batteries",
        )  # fmt: skip
        batch = projects.create_batch(s, me, project_id=project.id, name="wave 1")
        data = roster_csv(roster_rows("Hanbit GA Cell Plant", limit=rows))
        uploads.upload_roster(
            s, me, batch.id, data=data, filename="r.csv", policy=desk.policy, as_of=TODAY
        )


def _stored(desk: Desk) -> list[tuple[int, str | None, str | None]]:
    with desk.engine.connect() as conn:
        return [
            (int(r[0]), r[1], r[2]) for r in conn.execute(sa.select(PERSON).order_by(PERSON.c.id))
        ]


def _decrypts_all(key: str, stored: list[tuple[int, str | None, str | None]]) -> bool:
    fernet = Fernet(key.encode())
    try:
        for _, *values in stored:
            for value in values:
                if value is not None:
                    fernet.decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def _decrypts_none(key: str, stored: list[tuple[int, str | None, str | None]]) -> bool:
    fernet = Fernet(key.encode())
    for _, *values in stored:
        for value in values:
            if value is None:
                continue
            try:
                fernet.decrypt(value.encode())
            except InvalidToken:
                continue
            return False
    return True


def test_rotate_puts_every_value_under_the_new_key(
    desk: Desk, tmp_path: Path, keep_keyring: None
) -> None:
    _file_people(desk)
    (key_a,) = desk.settings.data_keys
    with read_session(desk.sessions) as s:
        plain = {p.id: (p.passport_number, p.birth_date) for p in s.scalars(sa.select(Person))}
    before = _stored(desk)
    assert before and _decrypts_all(key_a, before)
    values = sum(v is not None for _, *vs in before for v in vs)
    assert values >= 12

    key_b = keys.new_key()
    env = desk_env(desk.settings.database_url, tmp_path, f"{key_b},{key_a}")
    result = run(env, "keys", "rotate")
    assert result.exit_code == 0, result.output
    assert f"Re-encrypted {values} values in {len(before)} rows" in result.stdout

    after = _stored(desk)
    assert [r[0] for r in after] == [r[0] for r in before]
    assert _decrypts_all(key_b, after)
    assert _decrypts_none(key_a, after)
    # The same plain values, now only under B.
    b = Fernet(key_b.encode())
    for person_id, passport, birth in after:
        decrypted = tuple(b.decrypt(v.encode()).decode() if v else None for v in (passport, birth))
        assert decrypted == plain[person_id]
    with read_session(desk.sessions) as s:
        assert keys.undecryptable(s, [key_b]) == 0
        assert keys.undecryptable(s, [key_a]) == values
        entry = s.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None and entry.action == "keys.rotate"
        assert entry.data == {"rows": {"person": len(before)}, "values": values, "keys": 2}
    verify = run(env, "audit", "verify")
    assert verify.exit_code == 0 and "chain intact" in verify.stdout


def test_rotate_with_a_key_that_cannot_read_the_data_changes_nothing(
    desk: Desk, tmp_path: Path, keep_keyring: None
) -> None:
    _file_people(desk, rows=3)
    before = _stored(desk)
    env = desk_env(desk.settings.database_url, tmp_path, keys.new_key())
    result = run(env, "keys", "rotate")
    assert result.exit_code == 2
    assert "cannot be decrypted with the configured keys" in result.stderr
    assert _stored(desk) == before
    with read_session(desk.sessions) as s:
        assert s.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "keys.rotate")) == 0


def test_rotate_with_one_key_says_there_is_nothing_to_retire(
    desk: Desk, tmp_path: Path, keep_keyring: None
) -> None:
    _file_people(desk, rows=2)
    env = desk_env(desk.settings.database_url, tmp_path, desk.settings.data_keys[0])
    result = run(env, "keys", "rotate", "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "다시 암호화" in result.stdout
    assert "VISADESK_DATA_KEYS=NEW,OLD" in result.stderr


@pytest.mark.parametrize("bad", ["not-a-key", "x,y"])
def test_an_invalid_key_is_a_clear_error(
    desk: Desk, tmp_path: Path, keep_keyring: None, bad: str
) -> None:
    env = desk_env(desk.settings.database_url, tmp_path, bad)
    result = run(env, "keys", "rotate")
    assert result.exit_code == 2
    assert "not a valid Fernet key" in result.stderr
    assert "Traceback" not in result.output


def test_keys_new_prints_a_fresh_fernet_key() -> None:
    first = run({}, "keys", "new")
    second = run({}, "keys", "new")
    assert first.exit_code == 0
    key = first.stdout.strip()
    Fernet(key.encode())  # a valid key
    assert key != second.stdout.strip()
    assert "VISADESK_DATA_KEYS" in first.stderr and key not in first.stderr
