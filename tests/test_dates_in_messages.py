"""A formatted date inside a sentence never ends it with two full stops.

Korean dates end with a full stop of their own ("2026. 11. 27."); a message
that puts a full stop after its date placeholder must not read "27..".
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from visadesk.i18n import LANGUAGES, catalog, t
from visadesk.web.templating import format_date, format_datetime

DAY = dt.date(2026, 11, 27)
PLACEHOLDER = re.compile(r"{(\w+)}")
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # two stops, not an ellipsis


def test_a_korean_date_ends_with_its_own_full_stop() -> None:
    """The premise: Babel's medium Korean date ends with '.', the English one does not."""
    assert format_date(DAY, "ko") == "2026. 11. 27."
    assert format_date(DAY, "en") == "Nov 27, 2026"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_screening_line_has_one_full_stop(lang: str) -> None:
    line = t("web.screening.rules", lang, version="2026.1", date=format_date(DAY, lang))
    assert ".." not in line
    assert line.endswith(".")
    if lang == "ko":
        assert line == "규칙 세트 2026.1, 기준일 2026. 11. 27."
    else:
        assert line == "Rule set 2026.1, screened as of Nov 27, 2026."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_doubles_the_full_stop_after_a_formatted_date(lang: str) -> None:
    """Every message, every placeholder filled with a date as the pages format it."""
    doubled: list[str] = []
    for value in (format_date(DAY, lang), format_datetime(dt.datetime(2026, 11, 27, 9), lang)):
        for key, text in catalog(lang).items():
            names = set(PLACEHOLDER.findall(text))
            if not names:
                continue
            shown = t(key, lang, **dict.fromkeys(names, value))
            if DOUBLE_STOP.search(shown):
                doubled.append(f"{key}: {shown}")
    assert doubled == []


def test_a_value_without_a_full_stop_keeps_the_sentences() -> None:
    assert t("web.screening.rules", "ko", version="v", date="2026-11-27").endswith("2026-11-27.")
    assert t("web.screening.rules", "en", version="v", date="2026-11-27").endswith("2026-11-27.")
