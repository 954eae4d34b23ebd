"""The keyed audit chain: a rewrite without the key shows, keys rotate, checkpoints anchor it.

Issue #9, finding 6: with the plain SHA-256 chain anyone who could write to
the database could edit an entry and recompute every hash after it. Here the
same rewrite (with the old function, and with an HMAC under a wrong key) is
named at the edited entry on SQLite and PostgreSQL; entries made under key A
verify after rotating to "B,A" and are named unverifiable with only "B"; a
checkpoint kept outside catches even a rewrite made with the right key;
entries from before the migration verify as legacy and are counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from tests.desk.fixtures import World
from tests.desk.test_cli_desk import desk_env, run
from visadesk.desk import audit, backup
from visadesk.desk.config import Settings, new_audit_key
from visadesk.desk.db import make_engine, read_session, session_factory, upgrade, write_session
from visadesk.desk.models import AuditEntry, AuditHead, Base
from visadesk.desk.runtime import Desk

KEY_A = "a" * 24 + new_audit_key()[:24]
KEY_B = "b" * 24 + new_audit_key()[:24]
WRONG = "w" * 24 + new_audit_key()[:24]


def _add(desk: Desk, keys: Sequence[str], count: int, start: int = 0) -> None:
    with write_session(session_factory(desk.engine, keys)) as s:
        for n in range(start, start + count):
            audit.append(
                s, actor_id=None, action="test.entry", entity="test", entity_id=n, data={"n": n}
            )


def _check(
    desk: Desk, keys: Sequence[str], marks: Sequence[audit.Checkpoint] = ()
) -> audit.AuditReport:
    with read_session(session_factory(desk.engine, keys)) as s:
        return audit.check(s, checkpoints=[(f"cp{i}", m) for i, m in enumerate(marks)])


def _found(report: audit.AuditReport) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in report.problems]


def _content(entry: AuditEntry, key: str | None) -> dict[str, Any]:
    """An entry's canonical JSON, written out here as an attacker would."""
    content: dict[str, Any] = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "data": entry.data,
    }
    if key is not None:
        content["key"] = key
    return content


def _rewrite(desk: Desk, target: int, rehash: str) -> None:
    """Edit entry ``target``'s data, recompute every hash from it on, move the head.

    ``rehash``: ``sha256`` (the old function, key id kept), ``downgrade`` (the old
    function, key id cleared: passed off as legacy), ``wrong`` (HMAC under a key
    the desk does not have, claiming the desk's key id), ``own`` (HMAC under the
    attacker's key, with that key's id), ``right`` (HMAC under the desk's own key:
    an insider holding it).
    """
    with write_session(desk.sessions) as s:
        entries = list(
            s.scalars(select(AuditEntry).where(AuditEntry.seq >= target).order_by(AuditEntry.seq))
        )
        prev = entries[0].prev_hash
        for entry in entries:
            if entry.seq == target:
                entry.data = {**entry.data, "n": 999}
            kid = entry.key_id
            if rehash in {"sha256", "downgrade"}:
                if rehash == "downgrade":
                    kid = entry.key_id = None
                digest = audit.entry_hash(prev, _content(entry, kid))
            else:
                secret = {"wrong": WRONG, "own": WRONG, "right": desk.settings.audit_keys[0]}
                keys = audit.AuditKeys([secret[rehash]])
                if rehash == "own":
                    kid = entry.key_id = keys.newest
                digest = keys.mac(keys.newest, (prev + _body(_content(entry, kid))).encode())
            entry.prev_hash, entry.hash = prev, digest
            prev = digest
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev))


def _body(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -- a rewrite without the key is named at the edited entry ------------------------------


@pytest.mark.parametrize(
    ("rehash", "kind"),
    [("sha256", "edited"), ("wrong", "edited"), ("downgrade", "unkeyed"), ("own", "unverifiable")],
)
def test_a_tampered_and_rehashed_chain_is_found_at_the_first_edited_entry(
    desk: Desk, rehash: str, kind: str
) -> None:
    _add(desk, desk.settings.audit_keys, 12)
    assert _check(desk, desk.settings.audit_keys).intact
    _rewrite(desk, 5, rehash)
    found = _found(_check(desk, desk.settings.audit_keys))
    # Every link and the head fit (the attacker recomputed them): the hashes do not.
    assert found[0] == (5, kind), found
    assert {seq for seq, _ in found} == set(range(5, 13))
    assert not any(k in {"deleted", "inserted", "truncated"} for _, k in found)


def test_the_same_rewrite_passed_the_old_unkeyed_chain(desk: Desk) -> None:
    """The finding itself: on legacy (SHA-256) entries the rewrite is invisible; keying is
    what makes the difference (and why verify reports how many legacy entries there are)."""
    _legacy_rows(desk.engine, 6)
    _rewrite(desk, 3, "sha256")
    report = _check(desk, desk.settings.audit_keys)
    assert report.intact and report.legacy == 6


# -- rotation ---------------------------------------------------------------------------


def test_rotation_old_entries_verify_with_the_key_they_name(desk: Desk) -> None:
    a, b = audit.key_id(KEY_A), audit.key_id(KEY_B)
    _add(desk, [KEY_A], 3)
    _add(desk, [KEY_B, KEY_A], 2, start=3)  # new entries use the newest key
    both = _check(desk, [KEY_B, KEY_A])
    assert both.intact and both.by_key == {a: 3, b: 2} and both.keyed == 5
    only_b = _check(desk, [KEY_B])
    assert _found(only_b) == [(1, "unverifiable"), (2, "unverifiable"), (3, "unverifiable")]
    assert all(a in p.detail for p in only_b.problems)  # the missing key is named, by id
    assert KEY_A not in str(only_b.problems)

    with write_session(session_factory(desk.engine, [KEY_B, KEY_A])) as s:
        done = audit.rekey(s)
    assert (done.entries, done.key_id) == (5, b)
    after = _check(desk, [KEY_B])
    assert after.intact and after.by_key == {b: 6}  # and the re-keying's own entry
    with read_session(desk.sessions) as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last is not None and last.action == "audit.rekey"
    # Key A alone no longer verifies anything.
    assert {k for _, k in _found(_check(desk, [KEY_A]))} == {"unverifiable"}


def test_rekey_refuses_a_broken_chain_and_changes_nothing(desk: Desk) -> None:
    _add(desk, [KEY_A], 4)
    with desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 2"))
    with read_session(desk.sessions) as s:
        before = [(e.seq, e.hash, e.key_id) for e in s.scalars(select(AuditEntry))]
    with (
        pytest.raises(audit.AuditKeyError) as refused,
        write_session(session_factory(desk.engine, [KEY_B, KEY_A])) as s,
    ):
        audit.rekey(s)
    assert refused.value.code == "broken_chain"
    with read_session(desk.sessions) as s:
        assert [(e.seq, e.hash, e.key_id) for e in s.scalars(select(AuditEntry))] == before


@pytest.mark.parametrize(
    ("keys", "code"),
    [((), "no_key"), (("short",), "short_key"), ((KEY_A, KEY_A), "duplicate_key")],
)
def test_unusable_audit_keys_are_refused_with_a_reason(keys: tuple[str, ...], code: str) -> None:
    with pytest.raises(audit.AuditKeyError) as refused:
        audit.AuditKeys(keys)
    assert refused.value.code == code
    assert "VISADESK_AUDIT_KEYS" in refused.value.message("en")
    assert "VISADESK_AUDIT_KEYS" in refused.value.message("ko")


def test_a_session_without_audit_keys_cannot_append(desk: Desk) -> None:
    with pytest.raises(audit.AuditKeyError), write_session(session_factory(desk.engine)) as s:
        audit.append(s, actor_id=None, action="x", entity="test", entity_id=1)
    assert _check(desk, desk.settings.audit_keys).checked == 0  # nothing half-written


# -- checkpoints --------------------------------------------------------------------------


def _mark(desk: Desk) -> audit.Checkpoint:
    with read_session(desk.sessions) as s:
        return audit.checkpoint(s)


def test_a_checkpoint_catches_a_rewrite_by_someone_holding_the_key(desk: Desk) -> None:
    _add(desk, desk.settings.audit_keys, 8)
    mark = _mark(desk)
    assert (mark.seq, mark.key_id) == (8, audit.key_id(desk.settings.audit_keys[0]))
    _add(desk, desk.settings.audit_keys, 2, start=8)
    assert _check(desk, desk.settings.audit_keys, [mark]).intact

    _rewrite(desk, 3, "right")  # an insider: every hash recomputed with the real key
    assert _check(desk, desk.settings.audit_keys).intact  # the chain alone cannot tell
    found = _check(desk, desk.settings.audit_keys, [mark])
    assert _found(found) == [(8, "checkpoint")]
    assert found.problems[0].source == "cp0"


def test_a_checkpoint_after_the_end_of_a_cut_chain_is_reported(desk: Desk) -> None:
    _add(desk, desk.settings.audit_keys, 5)
    mark = _mark(desk)
    with desk.engine.begin() as conn:  # cut the tail and move the head back, consistently
        conn.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
        conn.execute(
            text(
                "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_entry WHERE seq = 3)"
            )
        )
    assert _check(desk, desk.settings.audit_keys).intact
    assert _found(_check(desk, desk.settings.audit_keys, [mark])) == [(5, "checkpoint")]


def test_a_forged_checkpoint_is_refused(desk: Desk) -> None:
    _add(desk, desk.settings.audit_keys, 4)
    mark = _mark(desk)
    with read_session(desk.sessions) as s:
        other = s.get_one(AuditEntry, 2).hash
    moved = audit.Checkpoint(2, other, mark.at, mark.key_id, mark.signature)
    wrong = audit.Checkpoint.sign(audit.AuditKeys([WRONG]), mark.seq, mark.hash, dt.datetime.now())
    claimed = audit.Checkpoint(mark.seq, mark.hash, mark.at, mark.key_id, wrong.signature)
    found = _found(_check(desk, desk.settings.audit_keys, [moved, claimed, wrong]))
    assert found == [(2, "forged"), (4, "forged"), (4, "unverifiable")]


def test_a_checkpoint_round_trips_through_its_file_and_a_broken_one_is_named(
    tmp_path: Path,
) -> None:
    keys = audit.AuditKeys([KEY_A])
    mark = audit.Checkpoint.sign(keys, 7, "ab" * 32, dt.datetime.now(dt.UTC))
    path = tmp_path / "cp.json"
    path.write_text(mark.to_json())
    assert audit.read_checkpoints(path) == [(str(path), mark)]
    assert mark.signature_ok(keys)
    broken = {**mark.as_dict(), "seq": -1}
    path.write_text(json.dumps(broken))
    with pytest.raises(audit.CheckpointError) as refused:
        audit.read_checkpoints(path)
    assert "seq" in refused.value.message("en") and str(path) in refused.value.message("ko")
    path.write_text("not json")
    with pytest.raises(audit.CheckpointError):
        audit.read_checkpoints(path)


def test_no_checkpoint_is_signed_for_a_broken_chain(desk: Desk) -> None:
    _add(desk, desk.settings.audit_keys, 3)
    with desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 2"))
    with pytest.raises(audit.AuditKeyError), read_session(desk.sessions) as s:
        audit.checkpoint(s)


# -- legacy entries and the migration ---------------------------------------------------


def _legacy_rows(engine: Any, count: int) -> None:
    """Entries as the unkeyed desk wrote them (SHA-256, no key id), and its head."""
    prev = audit.GENESIS
    at = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for seq in range(1, count + 1):
            content = {
                "seq": seq,
                "at": at.replace(tzinfo=None).isoformat(timespec="microseconds"),
                "actor": None,
                "action": "case.transition",
                "entity": "case",
                "entity_id": str(seq),
                "data": {"n": seq},
            }
            digest = audit.entry_hash(prev, content)
            conn.execute(
                text(
                    "INSERT INTO audit_entry (seq, at, actor_id, action, entity, entity_id, "
                    "data, prev_hash, hash) VALUES (:seq, :at, NULL, 'case.transition', 'case', "
                    ":eid, :data, :prev, :hash)"
                ),
                {
                    "seq": seq,
                    "at": at.replace(tzinfo=None),
                    "eid": str(seq),
                    "data": json.dumps({"n": seq}),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": count, "h": prev})


def test_entries_from_before_the_migration_verify_as_legacy_and_are_counted(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0001")  # the schema of the unkeyed desk
        _legacy_rows(engine, 4)
        upgrade(engine)
        sessions = session_factory(engine, [KEY_A])
        with write_session(sessions) as s:
            audit.append(s, actor_id=None, action="test.entry", entity="test", entity_id=5)
        with read_session(sessions) as s:
            report = audit.check(s)
            assert report.intact, report.problems
            assert (report.legacy, report.keyed, report.checked) == (4, 1, 5)
            kinds = [e.key_id for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert kinds == [None] * 4 + [audit.key_id(KEY_A)]
        # An edit of a legacy entry still shows, as before.
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 2"))
        with read_session(sessions) as s:
            assert [(p.seq, p.kind) for p in audit.check(s).problems] == [(2, "edited")]
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if "audit" in repr(d)] == []


# -- backup and restore -----------------------------------------------------------------


def test_backup_carries_the_key_ids_and_the_restored_chain_verifies(
    desk: Desk, tmp_path: Path
) -> None:
    _add(desk, [KEY_A], 3)
    _add(desk, [KEY_B, KEY_A], 2, start=3)
    archive = tmp_path / "desk.tar.gz"
    backup.backup(desk.engine, desk.settings.documents_dir, archive)
    # Into a SQLite file, whichever backend the source was (the other way: test_backup).
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        backup.restore(target, tmp_path / "documents", archive)
        with read_session(session_factory(target, [KEY_B, KEY_A])) as s:
            report = audit.check(s)
        assert report.intact, report.problems
        assert report.by_key == {audit.key_id(KEY_A): 3, audit.key_id(KEY_B): 2}
        with read_session(session_factory(target, [KEY_B])) as s:
            assert {p.kind for p in audit.check(s).problems} == {"unverifiable"}
    finally:
        target.dispose()


# -- settings -------------------------------------------------------------------------------


def test_audit_keys_come_from_the_environment_or_the_development_file(tmp_path: Path) -> None:
    env = {"VISADESK_DATA_DIR": str(tmp_path), "VISADESK_AUDIT_KEYS": f" {KEY_B} , {KEY_A} "}
    assert Settings.from_env(env).audit_keys == (KEY_B, KEY_A)
    # A development secrets file from before the keyed chain gains an audit key, once.
    old = {"data_key": "d" * 44, "secret_key": "s" * 43}
    (tmp_path / "secrets.json").write_text(json.dumps(old))
    (tmp_path / "secrets.json").chmod(0o600)
    first = Settings.from_env({"VISADESK_DATA_DIR": str(tmp_path)})
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert stored["data_key"] == old["data_key"] and stored["secret_key"] == old["secret_key"]
    assert first.audit_keys == (stored["audit_key"],) and len(stored["audit_key"]) == 64
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600
    assert Settings.from_env({"VISADESK_DATA_DIR": str(tmp_path)}).audit_keys == first.audit_keys


# -- the API ------------------------------------------------------------------------------


def test_the_api_reports_counts_and_signs_checkpoints_for_auditors_only(
    client: TestClient, desk: Desk, world: World
) -> None:
    r = client.get("/api/v1/audit/verify", headers=world.auth("auditor"))
    assert r.status_code == 200
    body = r.json()
    assert body["problems"] == [] and body["legacy"] == 0
    assert body["keyed"] == body["checked"] > 0
    for role in ("auditor", "supervisor"):
        r = client.get("/api/v1/audit/checkpoint", headers=world.auth(role))
        assert r.status_code == 200, (role, r.text)
        mark = audit.Checkpoint.parse(r.json())
        assert mark.signature_ok(audit.AuditKeys(desk.settings.audit_keys))
        assert mark.seq == body["checked"]
    for role in ("officer", "admin", "hanbit_admin"):
        r = client.get("/api/v1/audit/checkpoint", headers=world.auth(role))
        assert r.status_code == 403, role
    with desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 1"))
    r = client.get("/api/v1/audit/checkpoint", headers=world.auth("auditor"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "audit_broken"


# -- the commands -------------------------------------------------------------------------


def test_cli_checkpoint_then_verify_with_it(desk: Desk, tmp_path: Path) -> None:
    _add(desk, desk.settings.audit_keys, 6)
    anchor = tmp_path / "anchor" / "audit.jsonl"
    env = desk_env(
        desk.settings.database_url,
        tmp_path / "data",
        ",".join(desk.settings.data_keys),
        VISADESK_AUDIT_ANCHOR=str(anchor),
    )
    cp = tmp_path / "cp1.json"
    result = run(env, "audit", "checkpoint", str(cp))
    assert result.exit_code == 0, result.output
    assert "entry 6" in result.stdout and json.loads(cp.read_text())["seq"] == 6
    assert len(anchor.read_text().splitlines()) == 1
    assert anchor.stat().st_mode & 0o777 == 0o600
    _add(desk, desk.settings.audit_keys, 1, start=6)
    assert run(env, "audit", "checkpoint", str(tmp_path / "cp2.json")).exit_code == 0
    assert len(anchor.read_text().splitlines()) == 2  # appended, never rewritten

    ok = run(env, "audit", "verify", "--checkpoint", str(cp), "--checkpoint", str(anchor))
    assert ok.exit_code == 0, ok.output
    assert "matches all 3 checkpoint(s)" in ok.stdout

    # The checkpoint file is never overwritten (usage error, exit 2).
    again = run(env, "audit", "checkpoint", str(cp))
    assert again.exit_code == 2 and "already exists" in again.stderr

    _rewrite(desk, 2, "right")
    caught = run(env, "audit", "verify", "--checkpoint", str(cp))
    assert caught.exit_code == 1
    assert f"Checkpoint {cp}: mismatch at entry 6" in caught.stdout
    assert run(env, "audit", "verify").exit_code == 0  # without it, the insider is unseen
    ko = run(env, "audit", "verify", "--checkpoint", str(cp), "--lang", "ko")
    assert "항목 6에서 불일치" in ko.stdout


def test_cli_verify_refuses_a_forged_checkpoint_and_rejects_bad_files(
    desk: Desk, tmp_path: Path
) -> None:
    _add(desk, desk.settings.audit_keys, 3)
    env = desk_env(desk.settings.database_url, tmp_path / "data", ",".join(desk.settings.data_keys))
    cp = tmp_path / "cp.json"
    assert run(env, "audit", "checkpoint", str(cp)).exit_code == 0
    forged = {**json.loads(cp.read_text()), "seq": 2}
    forged_path = tmp_path / "forged.json"
    forged_path.write_text(json.dumps(forged))
    result = run(env, "audit", "verify", "--checkpoint", str(forged_path))
    assert result.exit_code == 1
    assert "refused - its signature does not verify" in result.stdout

    for name, content in (("junk.json", "{not json"), ("other.json", '{"seq": 1}')):
        (tmp_path / name).write_text(content)
        bad = run(env, "audit", "verify", "--checkpoint", str(tmp_path / name))
        assert bad.exit_code == 2 and "is not an audit checkpoint" in bad.stderr, bad.output
    missing = run(env, "audit", "verify", "--checkpoint", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "none.json" in missing.stderr
    assert "Traceback" not in missing.output


def test_cli_new_audit_key_rotation_and_rekey(desk: Desk, tmp_path: Path) -> None:
    new = run({}, "keys", "new-audit")
    assert new.exit_code == 0
    key_b = new.stdout.strip()
    assert len(key_b) == 64 and audit.key_id(key_b) in new.stderr
    _add(desk, desk.settings.audit_keys, 3)
    old = desk.settings.audit_keys[0]
    env = desk_env(desk.settings.database_url, tmp_path / "data", ",".join(desk.settings.data_keys))
    env["VISADESK_AUDIT_KEYS"] = key_b
    lost = run(env, "audit", "verify")
    assert lost.exit_code == 1 and "Entry 1: unverifiable" in lost.stdout
    refused = run(env, "keys", "rekey-audit")
    assert refused.exit_code == 1 and "Nothing re-keyed" in refused.stdout
    env["VISADESK_AUDIT_KEYS"] = f"{key_b},{old}"
    assert run(env, "audit", "verify").exit_code == 0
    rekeyed = run(env, "keys", "rekey-audit")
    assert rekeyed.exit_code == 0, rekeyed.output
    assert "Re-hashed 3 audit entries" in rekeyed.stdout
    env["VISADESK_AUDIT_KEYS"] = key_b
    assert run(env, "audit", "verify").stdout.strip() == "4 entries, chain intact."
    env["VISADESK_AUDIT_KEYS"] = "too-short"
    bad = run(env, "audit", "verify")
    assert bad.exit_code == 2 and "too short" in bad.stderr
