"""The roster template as the desk hands it out: one operation for the web, the API and the CLI.

The workbook is generated from the roster contract
(:func:`visadesk.roster_input.template.template_xlsx`); it holds no one's data, so any
signed-in user may have it, in English or Korean.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from visadesk.i18n import normalize_lang
from visadesk.roster.template import template_filename, template_xlsx

__all__ = ["XLSX_MEDIA_TYPE", "TemplateFile", "roster_template"]

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """A generated file: its bytes, the name to save it under and its media type."""

    data: bytes
    filename: str
    lang: str
    media_type: str = XLSX_MEDIA_TYPE


def roster_template(lang: str | None, *, today: dt.date | None = None) -> TemplateFile:
    """The roster template in ``lang`` (``en`` or ``ko``; anything else is English)."""
    code = normalize_lang(lang)
    return TemplateFile(template_xlsx(code, start=today), template_filename(code), code)
