"""Settings, from the environment.

``VISADESK_DATABASE_URL``  SQLAlchemy URL; default a SQLite file in the data folder.
``VISADESK_DATA_DIR``      folder for the SQLite file, uploaded documents and
                           the development secrets file; default ``./var``.
``VISADESK_DATA_KEYS``     comma-separated Fernet keys encrypting personal data,
                           newest first (older keys still decrypt: rotation).
``VISADESK_SECRET_KEY``    secret for signing (CSRF tokens).
``VISADESK_AUDIT_KEYS``    comma-separated secrets keying the audit chain (HMAC-SHA256),
                           newest first (older keys still verify the entries they made).
``VISADESK_AUDIT_ANCHOR``  optional append-only file: ``audit checkpoint`` adds a line to it.
``VISADESK_SECURE_COOKIES`` ``0`` to allow session cookies over plain HTTP (local demo).
``VISADESK_ROSTER_SECONDS`` time budget to read an uploaded roster (worker process; 60).
``VISADESK_ROSTER_MEMORY_MIB`` its memory budget, MiB of address space (3072).

Serving limits (see docs/desk.md, "Limits under load"): ``VISADESK_MAX_BODY_BYTES``,
``VISADESK_MAX_UPLOAD_BYTES``, ``VISADESK_MAX_CONCURRENCY``, ``VISADESK_QUEUE_SIZE``,
``VISADESK_QUEUE_TIMEOUT``, ``VISADESK_DB_LOCK_TIMEOUT``, ``VISADESK_RETRY_AFTER``.
``VISADESK_TRUSTED_PROXIES`` comma-separated IPs/CIDRs of reverse proxies whose
                           ``X-Forwarded-For`` is believed (default none).

When the keys are not in the environment, a development secrets file
``<data dir>/secrets.json`` (mode 0600) is created on first use and a warning
says so: a production desk sets the variables and keeps the file out of reach.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from visadesk.desk.bounded import Budget
from visadesk.desk.errors import DeskError
from visadesk.desk.private import private_dir
from visadesk.desk.proxies import Network, parse_trusted

__all__ = ["Settings", "new_audit_key"]

log = logging.getLogger("visadesk.desk")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    data_keys: tuple[str, ...]
    secret_key: str
    secure_cookies: bool = True
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Any other request body (JSON, forms): refused beyond this with 413.
    max_body_bytes: int = 1024 * 1024
    #: Requests that use the database at the same time; the pool and threadpool follow it.
    max_concurrency: int = 8
    #: Requests that may wait for a turn beyond those; more are answered 503 at once.
    queue_size: int = 64
    #: Seconds a request waits for its turn, and for a pooled connection, before 503.
    queue_timeout: float = 5.0
    #: Seconds a SQLite writer waits for the write lock before 503.
    db_lock_timeout: float = 5.0
    #: The ``Retry-After`` seconds of a 503.
    retry_after: int = 5
    #: Budget to read an uploaded roster in a worker process (visadesk.desk.bounded).
    roster_seconds: float = 60.0
    roster_memory_mib: int = 3072
    #: Proxies whose X-Forwarded-For is honoured (see :mod:`visadesk.desk.proxies`).
    trusted_proxies: tuple[Network, ...] = ()
    #: Where the keys came from: ``environment`` or the development file's path.
    key_source: str = field(default="environment", compare=False)
    #: The audit chain's keys, newest first (see :mod:`visadesk.desk.audit`). Settings made
    #: in code without them get a fresh random key: never an unkeyed chain.
    audit_keys: tuple[str, ...] = field(default_factory=lambda: (new_audit_key(),))
    #: An append-only JSON lines file each checkpoint is also written to.
    audit_anchor: Path | None = None

    @property
    def roster_budget(self) -> Budget:
        return Budget(self.roster_seconds, self.roster_memory_mib)

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("VISADESK_DATA_DIR", "var")).resolve()
        url = env.get("VISADESK_DATABASE_URL") or f"sqlite:///{data_dir / 'desk.db'}"
        keys = [k.strip() for k in env.get("VISADESK_DATA_KEYS", "").split(",") if k.strip()]
        secret = env.get("VISADESK_SECRET_KEY", "")
        audit_keys = [k.strip() for k in env.get("VISADESK_AUDIT_KEYS", "").split(",") if k.strip()]
        source = "environment"
        if not keys or not secret or not audit_keys:
            dev = _development_secrets(data_dir)
            keys = keys or [dev["data_key"]]
            secret = secret or dev["secret_key"]
            audit_keys = audit_keys or [dev["audit_key"]]
            source = str(data_dir / "secrets.json")
        secure = env.get("VISADESK_SECURE_COOKIES", "1") not in {"0", "false", "no"}
        proxies = parse_trusted(env.get("VISADESK_TRUSTED_PROXIES", ""))
        anchor = env.get("VISADESK_AUDIT_ANCHOR", "").strip()
        return cls(
            url,
            data_dir,
            tuple(keys),
            secret,
            secure,
            max_upload_bytes=int(_number(env, "VISADESK_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            max_body_bytes=int(_number(env, "VISADESK_MAX_BODY_BYTES", cls.max_body_bytes)),
            max_concurrency=int(_number(env, "VISADESK_MAX_CONCURRENCY", cls.max_concurrency)),
            queue_size=int(_number(env, "VISADESK_QUEUE_SIZE", cls.queue_size, minimum=0)),
            queue_timeout=_number(env, "VISADESK_QUEUE_TIMEOUT", cls.queue_timeout, real=True),
            db_lock_timeout=_number(
                env, "VISADESK_DB_LOCK_TIMEOUT", cls.db_lock_timeout, real=True
            ),
            retry_after=int(_number(env, "VISADESK_RETRY_AFTER", cls.retry_after)),
            roster_seconds=_number(env, "VISADESK_ROSTER_SECONDS", cls.roster_seconds, real=True),
            roster_memory_mib=int(
                _number(env, "VISADESK_ROSTER_MEMORY_MIB", cls.roster_memory_mib, minimum=256)
            ),
            trusted_proxies=proxies,
            key_source=source,
            audit_keys=tuple(audit_keys),
            audit_anchor=Path(anchor).resolve() if anchor else None,
        )


def new_audit_key() -> str:
    """A fresh audit chain key: 32 random bytes, hex."""
    return secrets.token_hex(32)


def _number(
    env: Mapping[str, str], name: str, default: float, *, real: bool = False, minimum: float = 1
) -> float:
    """``env[name]`` as a whole (or, ``real``, any) number of at least ``minimum``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw) if real else int(raw)
    except ValueError:
        value = None
    if value is None or not (minimum <= value < math.inf):
        raise DeskError("invalid_setting", 422, name=name, value=raw, minimum=minimum)
    return value


def _development_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if "audit_key" in loaded:
            return loaded
        # A file from before the keyed audit chain gains its audit key, the rest kept.
        loaded["audit_key"] = new_audit_key()
        _write_secrets(path, loaded, replace=True)
        log.warning("VISADESK_AUDIT_KEYS not set: added a development audit key to %s", path)
        return loaded
    private_dir(data_dir)
    values = {
        "data_key": Fernet.generate_key().decode(),
        "secret_key": secrets.token_urlsafe(32),
        "audit_key": new_audit_key(),
    }
    _write_secrets(path, values, replace=False)
    log.warning(
        "VISADESK_DATA_KEYS/VISADESK_SECRET_KEY/VISADESK_AUDIT_KEYS not set: "
        "generated development secrets in %s",
        path,
    )
    return values


def _write_secrets(path: Path, values: Mapping[str, str], *, replace: bool) -> None:
    """Write the file with mode 0600 (a replacement goes through a new file and a rename)."""
    target = path.with_name(path.name + ".new") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    if replace:
        target.unlink(missing_ok=True)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(values), fh)
        fh.flush()
        os.fsync(fh.fileno())
    if replace:
        target.replace(path)
