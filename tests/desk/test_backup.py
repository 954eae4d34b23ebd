"""`visadesk backup` and `restore`: a demo desk on SQLite restored into every backend."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.desk.fixtures import PASSWORD
from tests.desk.test_cli_desk import desk_env, keep_keyring, run
from visadesk.desk import backup, crypto, keys
from visadesk.desk.crypto import Keyring
from visadesk.desk.db import head_revision, make_engine
from visadesk.desk.documents import document_path
from visadesk.desk.runtime import Desk

__all__ = ["keep_keyring"]

#: A small demo world: every workflow state, documents accepted, rejected and pending.
TRIPS = "20"


@dataclass(frozen=True)
class Source:
    url: str
    data_dir: Path
    keys: str
    archive: Path
    tables: dict[str, list[dict[str, Any]]]


def _normal(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _tables(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as stored (ciphertext stays ciphertext)."""
    out = {}
    with engine.connect() as conn:
        for spec in backup.SPECS:
            order = [spec.table.c[c] for c in spec.primary_key]
            rows = conn.execute(sa.select(spec.table).order_by(*order)).mappings()
            out[spec.name] = [{k: _normal(v) for k, v in r.items()} for r in rows]
    return out


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """A demo desk seeded on a SQLite file of its own, and its backup."""
    saved = list(crypto._KEYRING)
    folder = tmp_path_factory.mktemp("source")
    url = f"sqlite:///{folder / 'desk.db'}"
    key = keys.new_key()
    env = desk_env(url, folder / "data", key)
    seeded = run(env, "demo", "--no-serve", "--trips", TRIPS)
    assert seeded.exit_code == 0, seeded.output
    archive = folder / "desk.tar.gz"
    written = run(env, "backup", str(archive))
    crypto._KEYRING[:] = saved
    assert written.exit_code == 0, written.output
    assert f"Wrote {archive}" in written.stdout
    assert archive.stat().st_mode & 0o777 == 0o600
    engine = make_engine(url)
    try:
        tables = _tables(engine)
    finally:
        engine.dispose()
    yield Source(url, folder / "data", key, archive, tables)


def _target_env(desk: Desk, source: Source, folder: Path) -> dict[str, str | None]:
    return desk_env(desk.settings.database_url, folder, source.keys)


def test_restore_gives_the_same_desk_on_every_backend(
    desk: Desk, source: Source, tmp_path: Path
) -> None:
    env = _target_env(desk, source, tmp_path / "target")
    result = run(env, "restore", str(source.archive))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.stdout
    audit_rows = len(source.tables["audit_entry"])
    assert result.stdout.strip().endswith(f"{audit_rows} entries, chain intact.")
    assert result.stderr == ""  # every value decrypts with the configured keys

    restored = _tables(desk.engine)
    # Identical rows in every table: ids, times, JSON, ciphertext, the audit chain.
    for name, rows in source.tables.items():
        assert len(restored[name]) == len(rows), name
        assert restored[name] == rows, name
    assert {n: len(r) for n, r in source.tables.items() if r}.keys() >= {
        "person", "trip", "visa_case", "case_event", "document", "audit_entry",
    }  # fmt: skip

    # The personal data decrypts with the source's keys.
    keyring = Keyring([source.keys])
    people = restored["person"]
    assert people
    for person in people:
        for column in ("passport_number", "birth_date"):
            if person[column] is not None:
                assert keyring.decrypt(person[column])
                assert not str(person[column]).startswith("M")  # never plain text

    # The document files, byte for byte.
    documents = restored["document"]
    assert documents
    for doc in documents:
        original = document_path(source.data_dir / "documents", doc["sha256"]).read_bytes()
        copy = document_path(tmp_path / "target" / "documents", doc["sha256"]).read_bytes()
        assert copy == original
        assert hashlib.sha256(copy).hexdigest() == doc["sha256"]

    verify = run(env, "audit", "verify")
    assert verify.exit_code == 0, verify.output
    # New rows continue after the restored ids (PostgreSQL sequences were reset).
    env["VISADESK_NEW_PASSWORD"] = PASSWORD
    added = run(
        env, "user", "add", "--org", "Visa Desk Seoul", "--email", "new@desk.example",
        "--role", "desk_officer",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    with desk.engine.connect() as conn:
        top = conn.execute(sa.text("SELECT MAX(id) FROM user_account")).scalar()
    assert top == max(u["id"] for u in source.tables["user_account"]) + 1
    assert run(env, "audit", "verify").exit_code == 0


def test_restore_refuses_a_database_with_data_unless_forced(
    desk: Desk, source: Source, tmp_path: Path
) -> None:
    env = _target_env(desk, source, tmp_path / "target")
    assert run(env, "restore", str(source.archive)).exit_code == 0
    again = run(env, "restore", str(source.archive))
    assert again.exit_code == 2
    assert "already holds data" in again.stderr and "--force" in again.stderr
    env["VISADESK_NEW_PASSWORD"] = PASSWORD
    extra = ("--org", "Visa Desk Seoul", "--email", "x@desk.example", "--role", "auditor")
    assert run(env, "user", "add", *extra).exit_code == 0
    forced = run(env, "restore", str(source.archive), "--force", "--lang", "ko")
    assert forced.exit_code == 0, forced.output
    assert "체인 무결" in forced.stdout
    assert _tables(desk.engine) == source.tables


# -- damaged archives ---------------------------------------------------------------------


def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        out = []
        for info in tar:
            fh = tar.extractfile(info)
            assert fh is not None
            out.append((info, fh.read()))
        return out


def _rewrite(archive: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of the archive with some members replaced (or, for None, left out)."""
    with tarfile.open(target, "w:gz") as tar:
        for info, original in _members(archive):
            data = change.get(info.name, original) if info.name in change else original
            if data is None:
                continue
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _flip(data: bytes) -> bytes:
    return data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]


def _damaged(source: Source, folder: Path, how: str) -> Path:
    members = {i.name: d for i, d in _members(source.archive)}
    target = folder / f"{how}.tar.gz"
    document = next(name for name in members if name.startswith("documents/"))
    if how == "table":
        return _rewrite(
            source.archive, target, {"tables/person.jsonl": _flip(members["tables/person.jsonl"])}
        )
    if how == "document":
        return _rewrite(source.archive, target, {document: _flip(members[document])})
    if how == "missing":
        return _rewrite(source.archive, target, {"tables/visa_case.jsonl": None})
    if how == "no_manifest":
        return _rewrite(source.archive, target, {backup.MANIFEST: None})
    if how == "truncated":
        data = source.archive.read_bytes()
        target.write_bytes(data[: len(data) // 2])
        return target
    if how == "not_gzip":
        target.write_text("worker_id,family_name\n", encoding="utf-8")
        return target
    raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "detail"),
    [
        ("table", "tables/person.jsonl does not match its checksum"),
        ("document", "does not match its checksum"),
        ("missing", "tables/visa_case.jsonl is missing"),
        ("no_manifest", "manifest.json is missing"),
        ("truncated", "not a usable backup"),
        ("not_gzip", "not a usable backup"),
    ],
)
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    desk: Desk, source: Source, tmp_path: Path, how: str, detail: str
) -> None:
    damaged = _damaged(source, tmp_path, how)
    env = _target_env(desk, source, tmp_path / "target")
    result = run(env, "restore", str(damaged))
    assert result.exit_code == 2, result.output
    assert "is not a usable backup" in result.stderr
    assert detail in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert not backup.has_data(desk.engine)
    assert not (tmp_path / "target" / "documents").exists()


def test_a_backup_of_another_schema_is_refused(desk: Desk, source: Source, tmp_path: Path) -> None:
    members = {i.name: d for i, d in _members(source.archive)}
    manifest = json.loads(members[backup.MANIFEST])
    manifest["alembic_revision"] = "9999"
    changed = _rewrite(
        source.archive, tmp_path / "old.tar.gz", {backup.MANIFEST: json.dumps(manifest).encode()}
    )
    result = run(_target_env(desk, source, tmp_path / "t"), "restore", str(changed))
    assert result.exit_code == 2
    assert "schema revision 9999" in result.stderr
    assert not backup.has_data(desk.engine)


def test_a_missing_archive_is_a_file_error(desk: Desk, source: Source, tmp_path: Path) -> None:
    result = run(_target_env(desk, source, tmp_path), "restore", str(tmp_path / "none.tar.gz"))
    assert result.exit_code == 2
    assert "none.tar.gz" in result.stderr


def test_the_manifest_lists_counts_checksums_and_revision(source: Source) -> None:
    members = {i.name: d for i, d in _members(source.archive)}
    manifest = json.loads(members[backup.MANIFEST])
    assert manifest["format"] == "visadesk-backup"
    assert manifest["alembic_revision"] == head_revision()
    assert manifest["created_at"].endswith("+00:00")
    # Tables in dependency order, with their row counts.
    assert [t["name"] for t in manifest["tables"]] == list(backup.TABLES)
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        n: len(r) for n, r in source.tables.items()
    }
    for name, digest in manifest["members"].items():
        assert hashlib.sha256(members[name]).hexdigest() == digest
    assert set(manifest["members"]) == set(members) - {backup.MANIFEST}
    assert manifest["documents"]["files"] == len({d["sha256"] for d in source.tables["document"]})
    # Values as stored: the personal data is ciphertext in the archive.
    people = [json.loads(line) for line in members["tables/person.jsonl"].splitlines()]
    assert people and all(
        p["passport_number"].startswith("gAAAA") for p in people if p["passport_number"]
    )
    assert gzip.decompress(source.archive.read_bytes())[:512].count(b"tables/") >= 1
