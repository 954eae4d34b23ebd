"""Errors the desk reports to people: a stable code, an HTTP status, parameters.

The message is looked up in the catalogs (``desk.error.<code>``) in the
reader's language; the code never changes once published (clients branch on
it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visadesk.i18n import t

__all__ = ["DeskError"]


class DeskError(Exception):
    def __init__(
        self,
        code: str,
        status: int = 400,
        /,
        *,
        details: list[Mapping[str, Any]] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params
        self.details = details or []

    def message(self, lang: str = "en") -> str:
        return t(f"desk.error.{self.code}", lang, **self.params)

    def details_in(self, lang: str) -> list[Mapping[str, Any]]:
        """The details, in ``lang`` where they hold words (a subclass may say so)."""
        return self.details

    def __str__(self) -> str:
        return self.message("en")
