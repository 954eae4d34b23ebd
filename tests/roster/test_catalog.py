"""Every roster message exists in English and Korean, with the same placeholders."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from visadesk.i18n import catalog
from visadesk.roster import PROBLEM_CODES, Problem
from visadesk.roster.model import LIMIT_NAMES, message_keys

SOURCE = Path(__file__).resolve().parents[2] / "src" / "visadesk" / "roster"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _roster_po(lang: str) -> dict[str, str]:
    """The roster's messages: roster.po, limits.po (a roster refused for its size) and
    the roster.* keys of safety.po (a cell with a control character)."""
    out: dict[str, str] = {}
    for name in ("roster.po", "limits.po", "safety.po"):
        entry = resources.files("visadesk") / "locales" / lang / name
        with entry.open("rb") as handle:
            po = read_po(handle, locale=lang)
        out |= {str(m.id): str(m.string) for m in po if m.id and str(m.id).startswith("roster.")}
    return out


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_is_in_both_catalogs() -> None:
    for lang in ("en", "ko"):
        missing = [key for key in message_keys() if key not in catalog(lang)]
        assert missing == [], f"missing in {lang}: {missing}"


def test_every_literal_key_in_the_source_is_known() -> None:
    literals: set[str] = set()
    for path in SOURCE.glob("*.py"):
        literals |= set(
            re.findall(
                r"[\"'](roster\.[a-z0-9_.]+[a-z0-9_])[\"']", path.read_text(encoding="utf-8")
            )
        )
    assert literals  # the scan found the keys
    assert literals <= set(message_keys())


def test_roster_catalogs_hold_the_same_keys_and_placeholders() -> None:
    english, korean = _roster_po("en"), _roster_po("ko")
    assert set(english) == set(korean) == set(message_keys())
    for key, text in english.items():
        assert _placeholders(text) == _placeholders(korean[key]), key


def test_korean_messages_are_korean() -> None:
    english, korean = _roster_po("en"), _roster_po("ko")
    for key, text in korean.items():
        assert HANGUL.search(text), key
        assert text != english[key], key


@pytest.mark.parametrize("code", PROBLEM_CODES)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_problem_renders_without_leftover_placeholders(code: str, lang: str) -> None:
    by_code = {"rrn_present": ("header", "header_rows", "value"), "limit_exceeded": LIMIT_NAMES}
    for variant in by_code.get(code, ("",)):
        key = f"roster.problem.{code}" + (f".{variant}" if variant else "")
        params = {name: f"<{name}>" for name in _placeholders(catalog("en")[key])}
        params.pop("value", None)
        params.pop("column", None)
        if variant:
            params["found_in"] = variant
            params["limit"] = variant
        problem = Problem(code=code, row=5, column="trip_start", value="<value>", params=params)
        text = problem.message(lang)
        assert "{" not in text and "}" not in text
        if code != "rrn_present":  # names its rows in the message, not as a prefix
            assert text.startswith(
                "5행 trip_start 열: " if lang == "ko" else "Row 5, column trip_start: "
            )
