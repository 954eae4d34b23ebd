"""Settings, from the environment.

``VISADESK_DATABASE_URL``  SQLAlchemy URL; default a SQLite file in the data folder.
``VISADESK_DATA_DIR``      folder for the SQLite file, uploaded documents and
                           the development secrets file; default ``./var``.
``VISADESK_DATA_KEYS``     comma-separated Fernet keys encrypting personal data,
                           newest first (older keys still decrypt: rotation).
``VISADESK_SECRET_KEY``    secret for signing (CSRF tokens).
``VISADESK_SECURE_COOKIES`` ``0`` to allow session cookies over plain HTTP (local demo).
``VISADESK_TRUSTED_PROXIES`` comma-separated IPs/CIDRs of reverse proxies whose
                           ``X-Forwarded-For`` is believed (default none).

When the keys are not in the environment, a development secrets file
``<data dir>/secrets.json`` (mode 0600) is created on first use and a warning
says so: a production desk sets the variables and keeps the file out of reach.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from visadesk.desk.proxies import Network, parse_trusted

__all__ = ["Settings"]

log = logging.getLogger("visadesk.desk")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    data_keys: tuple[str, ...]
    secret_key: str
    secure_cookies: bool = True
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Proxies whose X-Forwarded-For is honoured (see :mod:`visadesk.desk.proxies`).
    trusted_proxies: tuple[Network, ...] = ()
    #: Where the keys came from: ``environment`` or the development file's path.
    key_source: str = field(default="environment", compare=False)

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
        source = "environment"
        if not keys or not secret:
            dev = _development_secrets(data_dir)
            keys = keys or [dev["data_key"]]
            secret = secret or dev["secret_key"]
            source = str(data_dir / "secrets.json")
        secure = env.get("VISADESK_SECURE_COOKIES", "1") not in {"0", "false", "no"}
        proxies = parse_trusted(env.get("VISADESK_TRUSTED_PROXIES", ""))
        return cls(
            url, data_dir, tuple(keys), secret, secure, trusted_proxies=proxies, key_source=source
        )


def _development_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {"data_key": Fernet.generate_key().decode(), "secret_key": secrets.token_urlsafe(32)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(values, fh)
    log.warning(
        "VISADESK_DATA_KEYS/VISADESK_SECRET_KEY not set: generated development secrets in %s",
        path,
    )
    return values
