"""Every message a user reads exists in English and Korean."""

from __future__ import annotations

import re
from pathlib import Path

from visadesk.i18n import catalog, normalize_lang, t
from visadesk.roster.schema import ACTIVITY_CODES

SRC = Path(__file__).resolve().parents[1] / "src" / "visadesk"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        keys.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def test_catalogs_have_the_same_keys() -> None:
    assert set(catalog("en")) == set(catalog("ko"))


def test_every_key_used_in_code_is_in_both_catalogs() -> None:
    used = keys_used_in_code()
    assert len(used) > 30
    missing = {lang: sorted(used - set(catalog(lang))) for lang in ("en", "ko")}
    assert missing == {"en": [], "ko": []}


def test_dynamic_keys_exist() -> None:
    """Keys built at run time: statuses and activity names."""
    for status in ("eligible", "ineligible", "needs_info"):
        for lang in ("en", "ko"):
            assert f"status.{status}" in catalog(lang)
    for code in ACTIVITY_CODES:
        assert f"activity.{code}" in catalog("en") and f"activity.{code}" in catalog("ko")


def test_korean_texts_are_korean() -> None:
    hangul = re.compile(r"[가-힣]")
    not_korean = [
        k for k, v in catalog("ko").items() if not hangul.search(v) and not k.startswith("status.")
    ]
    assert not_korean == []


def test_placeholders_match_between_languages() -> None:
    field = re.compile(r"{(\w+)}")
    en, ko = catalog("en"), catalog("ko")
    mismatched = [k for k in en if set(field.findall(en[k])) != set(field.findall(ko[k]))]
    assert mismatched == []


def test_language_normalisation_and_fallback() -> None:
    assert normalize_lang("ko-KR") == "ko"
    assert normalize_lang("KO") == "ko"
    assert normalize_lang("fr") == "en"
    assert normalize_lang(None) == "en"
    assert t("status.eligible", "ko") == "적격"
    assert t("no.such.key", "ko") == "no.such.key"
