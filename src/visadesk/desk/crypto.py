"""Personal data encrypted at rest.

Passport numbers and birth dates are stored as Fernet tokens (AES-128-CBC with
HMAC-SHA256) under the keys from ``VISADESK_DATA_KEYS``; the first key encrypts,
every key decrypts, so a key can be rotated: put the new key first, run
``visadesk keys rotate`` (every value re-encrypted under the new key), then drop
the old key. The column type :class:`Encrypted` does this transparently for the
ORM; the keyring is installed once per process by :func:`use_keys`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from visadesk.roster.sensitive import mask_value

__all__ = ["DataKeyError", "Encrypted", "Keyring", "keyring", "mask", "use_keys"]

#: What a data key is stretched with into the key of the blind indexes (never the key itself).
_INDEX_LABEL: Final = b"visadesk blind index v1"


class DataKeyError(RuntimeError):
    """No keyring installed, or a value no configured key can decrypt."""


class Keyring:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise DataKeyError("no data encryption key configured (VISADESK_DATA_KEYS)")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as error:
            raise DataKeyError(f"a data key is not a valid Fernet key: {error}") from None
        self._index_keys = [
            hmac.new(base64.urlsafe_b64decode(k.encode()), _INDEX_LABEL, hashlib.sha256).digest()
            for k in keys
        ]

    def blind_indexes(self, value: str) -> tuple[str, ...]:
        """HMAC-SHA256 of ``value`` (hex) under each data key's index key, newest first.

        A value stored encrypted cannot be compared in SQL; its blind index can: the
        first is what is written, all of them are what a lookup matches (a row indexed
        before the newest key was put first still matches until the rotation
        re-indexes it: :func:`visadesk.desk.keys.rotate`).
        """
        data = value.encode()
        return tuple(hmac.new(k, data, hashlib.sha256).hexdigest() for k in self._index_keys)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._readable(self._fernet.decrypt, token)

    def rotate(self, token: str) -> str:
        return self._readable(self._fernet.rotate, token)

    @staticmethod
    def _readable(step: Callable[[bytes], bytes], token: str) -> str:
        """``step`` (decrypt, rotate) of a stored value; :class:`DataKeyError` if no key can."""
        try:
            return step(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError(
                "a stored value cannot be decrypted with the configured keys"
            ) from None


_KEYRING: list[Keyring] = []


def use_keys(keys: Sequence[str]) -> Keyring:
    """Install the process's keyring (called when the app or a command starts)."""
    keyring = Keyring(keys)
    _KEYRING[:] = [keyring]
    return keyring


def keyring() -> Keyring:
    if not _KEYRING:
        raise DataKeyError("no data encryption keyring installed")
    return _KEYRING[0]


class Encrypted(TypeDecorator[str]):
    """A string column stored encrypted; reads give the plain text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else keyring().decrypt(str(value))


def mask(value: str | None) -> str | None:
    return None if value is None else mask_value(value)
