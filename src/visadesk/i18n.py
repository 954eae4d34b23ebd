"""Message catalogs: every string a user reads, in English and Korean.

Catalogs are gettext ``.po`` files under ``visadesk/locales/<lang>/``; each
module family keeps its own file (``cli.po``, ``roster.po``, ...) so that they
can grow independently. Message ids are stable dotted keys
(``roster.problem.unknown_activity``); the English catalog holds the English
text. Placeholders use ``str.format`` syntax: ``{column}``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final, Literal, get_args

from babel.messages.pofile import read_po

__all__ = ["LANGUAGES", "Language", "catalog", "normalize_lang", "t"]

Language = Literal["en", "ko"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)


def normalize_lang(lang: str | None) -> str:
    """Map ``ko-KR``, ``KO`` and friends to a supported language; default English."""
    if not lang:
        return "en"
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, from every ``.po`` file of that language."""
    messages: dict[str, str] = {}
    folder = resources.files("visadesk") / "locales" / lang
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as fh:
            po = read_po(fh, locale=lang)
        for message in po:
            if message.id and message.string:
                key = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                if key in messages:
                    raise ValueError(f"message id {key!r} is defined twice in {lang} catalogs")
                messages[key] = text
    return messages


def t(key: str, lang: str = "en", /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in.

    A key missing from the catalog is a programming error: the catalog test
    catches it, and at run time the key itself is shown rather than crashing.
    """
    text = catalog(normalize_lang(lang)).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    return _one_full_stop(text, params).format(**params) if params else text


def _one_full_stop(text: str, params: dict[str, object]) -> str:
    """Drop a message's full stop right after a value that already ends with one.

    A Korean date ("2026. 11. 27.") ends with a full stop of its own, so
    "기준일 {date}." would read "2026. 11. 27.."; the sentence's full stop is
    dropped instead of the date's.
    """
    for name, value in params.items():
        if isinstance(value, str) and value.endswith("."):
            text = text.replace("{" + name + "}.", "{" + name + "}")
    return text
