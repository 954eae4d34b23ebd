"""Backup and restore: every table and every document file in one portable archive.

The archive is a ``.tar.gz`` holding

- ``tables/<table>.jsonl``: one JSON object per row, tables in dependency order,
  values as stored: encrypted columns stay ciphertext (a backup never decrypts,
  so it is only as readable as the data keys), times ISO 8601 in UTC, JSON
  columns as JSON;
- ``documents/<ab>/<sha256>``: the uploaded documents' bytes, named by their
  SHA-256 as on disk;
- ``manifest.json``: the format, the Alembic revision, the creation time, the
  row count of every table and the SHA-256 of every other member.

:func:`restore` checks the whole archive against its manifest before touching
anything, then writes every row in one transaction into an empty database (on
either backend: a SQLite backup restores into PostgreSQL and back), puts the
document files in place, resets PostgreSQL's id sequences and checks the row
counts; the caller then verifies the audit chain.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from visadesk import __version__
from visadesk.atomic import atomic_path
from visadesk.desk.audit import GENESIS
from visadesk.desk.crypto import Encrypted
from visadesk.desk.db import current_revision, head_revision, upgrade
from visadesk.desk.documents import document_path
from visadesk.desk.models import Base, UTCDateTime
from visadesk.desk.private import FILE_MODE, private_dir

__all__ = [
    "FORMAT",
    "MANIFEST",
    "BackupError",
    "BackupReport",
    "RestoreReport",
    "backup",
    "empty_database",
    "has_data",
    "read_archive",
    "restore",
    "row_counts",
]

FORMAT: Final = "visadesk-backup"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
#: Rows written per INSERT statement on restore.
CHUNK: Final = 1_000
_DOCUMENT: Final = re.compile(r"documents/([0-9a-f]{2})/([0-9a-f]{64})")
_TABLE: Final = re.compile(r"tables/([a-z_]+)\.jsonl")
_MANIFEST_LIMIT: Final = 64 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused: a stable code and the message's parameters.

    The message is ``desk_cli.error.<code>`` in the catalogs.
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code} ({details})" if details else self.code


# -- the tables, as stored ------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    name: str
    table: sa.TableClause
    primary_key: tuple[str, ...]
    #: column name -> "datetime" | "date" (converted from and to ISO text)
    temporal: Mapping[str, str]
    #: columns filled after every table is in (a foreign key declared ``use_alter``)
    deferred: tuple[str, ...]


def _raw_type(column: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    if isinstance(column.type, Encrypted):
        # Read and write the ciphertext itself: no decryption, no re-encryption.
        return sa.String()
    return column.type


def _temporal(column: sa.Column[Any]) -> str | None:
    if isinstance(column.type, UTCDateTime | sa.DateTime):
        return "datetime"
    if isinstance(column.type, sa.Date):
        return "date"
    return None


def _late(fk: sa.ForeignKey) -> bool:
    """A foreign key in a cycle (``use_alter``): its column is filled after every insert."""
    return bool(fk.use_alter or (fk.constraint is not None and fk.constraint.use_alter))


def _specs() -> list[_Spec]:
    specs = []
    for table in Base.metadata.sorted_tables:
        columns = list(table.columns)
        deferred = tuple(c.name for c in columns if any(_late(fk) for fk in c.foreign_keys))
        temporal = {c.name: kind for c in columns if (kind := _temporal(c)) is not None}
        specs.append(
            _Spec(
                name=table.name,
                table=sa.table(table.name, *(sa.column(c.name, _raw_type(c)) for c in columns)),
                primary_key=tuple(c.name for c in table.primary_key.columns),
                temporal=temporal,
                deferred=deferred,
            )
        )
    return specs


SPECS: Final = _specs()
TABLES: Final = tuple(s.name for s in SPECS)


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows in every table, in dependency order."""
    return {
        s.name: int(conn.execute(sa.select(sa.func.count()).select_from(s.table)).scalar_one())
        for s in SPECS
    }


def _has_data(conn: Connection) -> bool:
    for spec in SPECS:
        if spec.name == "audit_head":
            seq = conn.execute(sa.text("SELECT MAX(seq) FROM audit_head")).scalar()
            if seq:
                return True
            continue
        if conn.execute(sa.select(sa.literal(1)).select_from(spec.table).limit(1)).first():
            return True
    return False


def has_data(engine: Engine) -> bool:
    """Whether the database holds anything beyond an empty audit chain."""
    with engine.connect() as conn:
        return _has_data(conn)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _empty(conn: Connection, *, genesis: bool) -> None:
    if conn.dialect.name == "postgresql":
        # Table names come from the models' metadata, not from input.
        names = ", ".join(_quote(conn, s.name) for s in SPECS)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for spec in SPECS:
            if spec.deferred:
                conn.execute(sa.update(spec.table).values(dict.fromkeys(spec.deferred)))
        for spec in reversed(SPECS):
            conn.execute(sa.delete(spec.table))
    if genesis:
        conn.execute(
            sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": GENESIS}
        )


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


def empty_database(engine: Engine) -> None:
    """Delete every row of every desk table, leaving an empty audit chain (schema kept)."""
    with _writing(engine) as conn:
        _empty(conn, genesis=True)


# -- backup -------------------------------------------------------------------------------


@dataclass
class BackupReport:
    path: Path
    revision: str
    tables: dict[str, int]
    documents: int
    #: document hashes referenced by rows but absent (or altered) on disk
    missing: list[str] = field(default_factory=list)


def _dump(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one state of the database throughout."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _add(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    tar.addfile(info, fh)


def backup(
    engine: Engine, documents_dir: Path, out: Path, *, now: dt.datetime | None = None
) -> BackupReport:
    """Write every table and document file to ``out`` (whole or not at all; mode 0600)."""
    revision = current_revision(engine)
    if revision is None:
        raise BackupError("not_migrated")
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = created.timestamp()
    members: dict[str, str] = {}
    tables: dict[str, int] = {}
    hashes: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="visadesk-backup-") as folder:
        dumped: list[tuple[str, Path]] = []
        with _snapshot(engine) as conn:
            for spec in SPECS:
                path = Path(folder) / f"{spec.name}.jsonl"
                count = 0
                digest = hashlib.sha256()
                order = [spec.table.c[c] for c in spec.primary_key]
                result = conn.execution_options(yield_per=CHUNK).execute(
                    sa.select(spec.table).order_by(*order)
                )
                with path.open("wb") as fh:
                    for row in result.mappings():
                        line = json.dumps(
                            {k: _dump(v) for k, v in row.items()},
                            ensure_ascii=False,
                            separators=(",", ":"),
                        )
                        data = line.encode() + b"\n"
                        fh.write(data)
                        digest.update(data)
                        count += 1
                        if spec.name == "document":
                            hashes.add(str(row["sha256"]))
                member = f"tables/{spec.name}.jsonl"
                members[member] = digest.hexdigest()
                tables[spec.name] = count
                dumped.append((member, path))
        documents: list[tuple[str, Path]] = []
        missing = []
        for sha in sorted(hashes):
            path = document_path(documents_dir, sha)
            if path.is_file() and _sha256_file(path) == sha:
                member = f"documents/{sha[:2]}/{sha}"
                members[member] = sha
                documents.append((member, path))
            else:
                missing.append(sha)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "visadesk_version": __version__,
            "alembic_revision": revision,
            "created_at": created.isoformat(timespec="seconds"),
            "source_database": engine.dialect.name,
            "tables": [
                {"name": name, "rows": rows, "member": f"tables/{name}.jsonl"}
                for name, rows in tables.items()
            ],
            "documents": {"files": len(documents), "missing": missing},
            "members": members,
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        with atomic_path(out) as tmp:
            tmp.chmod(0o600)
            with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
                for member, path in (*dumped, *documents):
                    with path.open("rb") as fh:
                        _add(tar, member, fh, path.stat().st_size, stamp)
                _add(tar, MANIFEST, io.BytesIO(body), len(body), stamp)
    return BackupReport(out, revision, tables, len(documents), missing)


# -- reading an archive ------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str
    tables: dict[str, int]
    members: dict[str, str]
    raw: Mapping[str, Any]


def _corrupt(path: Path, detail: str) -> BackupError:
    return BackupError("corrupt_archive", path=str(path), detail=detail)


@contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    # A missing or unreadable file is a plain OSError (reported as such);
    # anything wrong inside it is a corrupt archive.
    with path.open("rb") as raw:
        try:
            with tarfile.open(fileobj=raw, mode="r:gz") as tar:
                yield tar
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise _corrupt(path, f"{type(error).__name__}: {error}") from None


def _members(tar: tarfile.TarFile, path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    seen: set[str] = set()
    for info in tar:
        if not info.isfile():
            raise _corrupt(path, f"{info.name} is not a regular file")
        if info.name in seen:
            raise _corrupt(path, f"{info.name} appears twice")
        seen.add(info.name)
        fh = tar.extractfile(info)
        if fh is None:  # pragma: no cover - regular files always have content
            raise _corrupt(path, f"{info.name} has no content")
        yield info, fh


def _parse_manifest(data: bytes, path: Path) -> Manifest:
    try:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise _corrupt(path, "not a visadesk backup")
        if int(raw.get("format_version", 0)) > FORMAT_VERSION:
            raise BackupError("newer_format", path=str(path), version=raw.get("format_version"))
        tables = {str(t["name"]): int(t["rows"]) for t in raw["tables"]}
        members = {str(k): str(v) for k, v in raw["members"].items()}
        return Manifest(str(raw["alembic_revision"]), str(raw["created_at"]), tables, members, raw)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _corrupt(path, f"unreadable manifest ({type(error).__name__})") from None


def read_archive(path: Path) -> Manifest:
    """Check every member of the archive against its manifest; the manifest if all is well."""
    digests: dict[str, str] = {}
    manifest_data: bytes | None = None
    with _open_archive(path) as tar:
        for info, fh in _members(tar, path):
            if info.name == MANIFEST:
                manifest_data = fh.read(_MANIFEST_LIMIT)
                continue
            digest = hashlib.sha256()
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
            digests[info.name] = digest.hexdigest()
    if manifest_data is None:
        raise _corrupt(path, f"{MANIFEST} is missing")
    manifest = _parse_manifest(manifest_data, path)
    _check_members(manifest, digests, path)
    return manifest


def _check_members(manifest: Manifest, digests: Mapping[str, str], path: Path) -> None:
    for name, expected in manifest.members.items():
        if name not in digests:
            raise _corrupt(path, f"{name} is missing")
        if digests[name] != expected:
            raise _corrupt(path, f"{name} does not match its checksum")
    for name, digest in digests.items():
        if name not in manifest.members:
            raise _corrupt(path, f"{name} is not in the manifest")
        document = _DOCUMENT.fullmatch(name)
        table = _TABLE.fullmatch(name)
        if document is not None:
            if document.group(2) != digest or document.group(1) != digest[:2]:
                raise _corrupt(path, f"{name} is not named by its SHA-256")
        elif table is None or table.group(1) not in manifest.tables:
            raise _corrupt(path, f"{name} is not a table or a document")
    unknown = sorted(set(manifest.tables) - set(TABLES))
    if unknown:
        raise _corrupt(path, f"unknown tables: {', '.join(unknown)}")
    for name in manifest.tables:
        if f"tables/{name}.jsonl" not in digests:
            raise _corrupt(path, f"tables/{name}.jsonl is missing")


# -- restore ------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    revision: str
    created_at: str
    tables: dict[str, int]
    documents: int


def _load(value: object, kind: str | None) -> object:
    if value is None or kind is None:
        return value
    if kind == "datetime":
        stamp = dt.datetime.fromisoformat(str(value))
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)
    return dt.date.fromisoformat(str(value))


def _insert(conn: Connection, spec: _Spec, lines: Iterator[bytes]) -> list[dict[str, Any]]:
    """Insert one table's rows; returns the deferred values to set afterwards."""
    later: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    statement = sa.insert(spec.table)
    names = {c.name for c in spec.table.columns}
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        extra = set(row) - names
        if extra:
            raise BackupError("unknown_columns", table=spec.name, columns=", ".join(sorted(extra)))
        values = {name: _load(row.get(name), spec.temporal.get(name)) for name in names}
        deferred = {c: values[c] for c in spec.deferred if values[c] is not None}
        if deferred:
            later.append({**{f"pk_{k}": values[k] for k in spec.primary_key}, **deferred})
            values.update(dict.fromkeys(spec.deferred))
        batch.append(values)
        if len(batch) >= CHUNK:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
    return later


def _set_deferred(conn: Connection, spec: _Spec, rows: Sequence[dict[str, Any]]) -> None:
    for column in spec.deferred:
        todo = [r for r in rows if column in r]
        if not todo:
            continue
        t = spec.table
        statement = (
            sa.update(t)
            .where(*(t.c[k] == sa.bindparam(f"pk_{k}") for k in spec.primary_key))
            .values({column: sa.bindparam(f"new_{column}")})
        )
        params = [
            {**{f"pk_{k}": r[f"pk_{k}"] for k in spec.primary_key}, f"new_{column}": r[column]}
            for r in todo
        ]
        for first in range(0, len(params), CHUNK):
            conn.execute(statement, params[first : first + CHUNK])


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: make every id sequence continue after the restored ids."""
    if conn.dialect.name != "postgresql":
        return
    for spec in SPECS:
        if spec.primary_key != ("id",):
            continue
        top = sa.func.max(spec.table.c.id)
        sequence = sa.func.pg_get_serial_sequence(_quote(conn, spec.name), "id")
        conn.execute(
            sa.select(
                sa.func.setval(sequence, sa.func.coalesce(top, 1), top.is_not(None))
            ).select_from(spec.table)
        )


def _write_document(documents_dir: Path, sha: str, fh: IO[bytes]) -> None:
    target = document_path(documents_dir, sha)
    if target.is_file() and _sha256_file(target) == sha:
        return
    private_dir(target.parent)
    with atomic_path(target) as tmp:
        tmp.chmod(FILE_MODE)
        digest = hashlib.sha256()
        with tmp.open("wb") as out:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha:  # the archive changed since it was checked
            raise BackupError("corrupt_archive", path=str(target), detail="document changed")


def _extract(archive: Path, folder: Path, documents_dir: Path) -> tuple[dict[str, Path], int]:
    """Tables to files in ``folder``, documents into place; (table files, documents)."""
    files: dict[str, Path] = {}
    documents = 0
    with _open_archive(archive) as tar:
        for info, fh in _members(tar, archive):
            table = _TABLE.fullmatch(info.name)
            document = _DOCUMENT.fullmatch(info.name)
            if table is not None:
                path = folder / f"{table.group(1)}.jsonl"
                with path.open("wb") as out:
                    while chunk := fh.read(1 << 20):
                        out.write(chunk)
                files[table.group(1)] = path
            elif document is not None:
                _write_document(documents_dir, document.group(2), fh)
                documents += 1
    return files, documents


def _load_tables(conn: Connection, files: Mapping[str, Path], manifest: Manifest) -> dict[str, int]:
    later: dict[str, list[dict[str, Any]]] = {}
    for spec in SPECS:
        table_file = files.get(spec.name)
        if table_file is not None:
            with table_file.open("rb") as fh:
                later[spec.name] = _insert(conn, spec, iter(fh))
    for spec in SPECS:
        if later.get(spec.name):
            _set_deferred(conn, spec, later[spec.name])
    _reset_sequences(conn)
    counts = row_counts(conn)
    for name, rows in manifest.tables.items():
        if counts.get(name) != rows:
            raise BackupError("count_mismatch", table=name, expected=rows, found=counts.get(name))
    return counts


def restore(
    engine: Engine, documents_dir: Path, archive: Path, *, force: bool = False
) -> RestoreReport:
    """Restore an archive into an empty database (``force``: empty it first), all or nothing.

    The archive is checked whole first: a corrupt one is refused before anything
    is written. Document files are put in place before the rows are committed;
    should the transaction fail they stay behind, unreferenced and harmless
    (files are named by their content).
    """
    manifest = read_archive(archive)
    head = head_revision()
    if manifest.revision != head:
        raise BackupError("schema_mismatch", archive=manifest.revision, head=head)
    upgrade(engine)
    if not force and has_data(engine):
        raise BackupError("not_empty")
    with tempfile.TemporaryDirectory(prefix="visadesk-restore-") as folder:
        files, documents = _extract(archive, Path(folder), documents_dir)
        with _writing(engine) as conn:
            if not force and _has_data(conn):
                raise BackupError("not_empty")
            _empty(conn, genesis=False)
            counts = _load_tables(conn, files, manifest)
    return RestoreReport(manifest.revision, manifest.created_at, counts, documents)
