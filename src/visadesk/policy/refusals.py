"""Refusal grounds: the statute sections a refused case names, as rule data.

``rules/baseline/refusals.yaml`` lists them (INA 214(b), INA 221(g), INA 212(a)
with its sub-grounds), each with its citation and, where the reference text the
desk encodes does not describe it, a ``verify`` note for counsel. Labels are
not in the file: each ground's label is a catalog message
(``refusal.ground.<id>``, ``refusal.sub_ground.<id>.<sub>``) in English and
Korean. :func:`load_refusal_grounds` reads the file strictly: an unknown key, a
ground without a citation, or a ground or sub-ground without its label in both
languages is an error naming the file and the ground.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from visadesk.i18n import LANGUAGES, catalog, t
from visadesk.policy.load import PolicyError, RuleLoader
from visadesk.policy.model import Citation

__all__ = [
    "RefusalError",
    "RefusalGround",
    "RefusalGrounds",
    "SubGround",
    "bundled_refusal_grounds",
    "load_refusal_grounds",
]

GROUND_KEYS: Final = frozenset({"id", "citation", "verify", "requires_items", "sub_grounds"})
SUB_KEYS: Final = frozenset({"id", "citation", "verify"})
CITATION_KEYS: Final = frozenset({"instrument", "pinpoint", "as_of", "url"})
_ID: Final = re.compile(r"^[a-z][a-z0-9_]*$")


class RefusalError(PolicyError):
    """The refusal grounds file cannot be read; the message names the file and the ground."""


@dataclass(frozen=True, slots=True)
class SubGround:
    """One choice under a ground (a paragraph of INA 212(a))."""

    id: str
    ground: str
    citation: Citation
    verify: str | None = None

    def label(self, lang: str) -> str:
        return t(f"refusal.sub_ground.{self.ground}.{self.id}", lang)


@dataclass(frozen=True, slots=True)
class RefusalGround:
    """A ground of refusal: its citation, whether it lists missing items, its sub-grounds."""

    id: str
    citation: Citation
    verify: str | None = None
    requires_items: bool = False
    sub_grounds: tuple[SubGround, ...] = ()

    def label(self, lang: str) -> str:
        return t(f"refusal.ground.{self.id}", lang)

    def sub_ground(self, sub_id: str) -> SubGround | None:
        return next((s for s in self.sub_grounds if s.id == sub_id), None)


@dataclass(frozen=True)
class RefusalGrounds:
    """Every ground of one file, in file order."""

    grounds: tuple[RefusalGround, ...]
    source: str

    def get(self, ground_id: str) -> RefusalGround | None:
        return next((g for g in self.grounds if g.id == ground_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.grounds)


def _bundled() -> Any:
    return resources.files("visadesk") / "rules" / "baseline" / "refusals.yaml"


def load_refusal_grounds(path: Path | None = None) -> RefusalGrounds:
    """Read the refusal grounds (the bundled ``baseline/refusals.yaml`` by default)."""
    label = "baseline/refusals.yaml" if path is None else str(path)
    try:
        text = (_bundled() if path is None else path).read_text(encoding="utf-8")
        data = yaml.load(text, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise RefusalError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise RefusalError(f"{label}: not valid YAML ({exc})") from None
    return _Reader(label).grounds(data)


@cache
def bundled_refusal_grounds() -> RefusalGrounds:
    """The bundled grounds, read once per process."""
    return load_refusal_grounds()


class _Reader:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, what: str, item: str | None = None) -> RefusalError:
        where = f"{self.label}: ground {item}: " if item else f"{self.label}: "
        return RefusalError(where + what)

    def grounds(self, data: Any) -> RefusalGrounds:
        if not isinstance(data, Mapping) or not isinstance(data.get("refusals"), list):
            raise self.fail("needs a top-level 'refusals:' list")
        extra = sorted(str(k) for k in data if k != "refusals")
        if extra:
            raise self.fail(f"unknown top-level key(s) {', '.join(extra)}; allowed: refusals")
        out: list[RefusalGround] = []
        for index, raw in enumerate(data["refusals"], start=1):
            ground = self.ground(raw, index)
            if any(g.id == ground.id for g in out):
                raise self.fail("is defined twice", ground.id)
            out.append(ground)
        if not out:
            raise self.fail("lists no ground")
        return RefusalGrounds(tuple(out), self.label)

    def ident(self, raw: Mapping[str, Any], keys: frozenset[str], what: str) -> str:
        if not raw.get("id"):
            raise self.fail(f"{what} needs an 'id'")
        ident = str(raw["id"])
        if not _ID.match(ident):
            raise self.fail(f"{what} id {ident!r} must be lower case letters, digits and '_'")
        unknown = sorted(str(k) for k in raw if k not in keys)
        if unknown:
            raise self.fail(
                f"{what} {ident}: unknown key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(keys))}"
            )
        return ident

    def ground(self, raw: object, index: int) -> RefusalGround:
        if not isinstance(raw, Mapping):
            raise self.fail(f"item {index} must be a mapping")
        gid = self.ident(raw, GROUND_KEYS, f"item {index}")
        self.labelled(f"refusal.ground.{gid}", gid)
        requires = raw.get("requires_items", False)
        if not isinstance(requires, bool):
            raise self.fail("'requires_items' must be true or false", gid)
        subs_raw = raw.get("sub_grounds") or []
        if not isinstance(subs_raw, list):
            raise self.fail("'sub_grounds' must be a list", gid)
        subs: list[SubGround] = []
        for n, sub in enumerate(subs_raw, start=1):
            if not isinstance(sub, Mapping):
                raise self.fail(f"sub-ground {n} must be a mapping", gid)
            sid = self.ident(sub, SUB_KEYS, f"sub-ground {n}")
            if any(s.id == sid for s in subs):
                raise self.fail(f"sub-ground {sid} is defined twice", gid)
            self.labelled(f"refusal.sub_ground.{gid}.{sid}", gid)
            subs.append(
                SubGround(sid, gid, self.citation(sub.get("citation"), gid), self.note(sub))
            )
        return RefusalGround(
            id=gid,
            citation=self.citation(raw.get("citation"), gid),
            verify=self.note(raw),
            requires_items=requires,
            sub_grounds=tuple(subs),
        )

    def note(self, raw: Mapping[str, Any]) -> str | None:
        return " ".join(str(raw["verify"]).split()) if raw.get("verify") else None

    def labelled(self, key: str, gid: str) -> None:
        for lang in LANGUAGES:
            if key not in catalog(lang):
                raise self.fail(f"needs a label {key!r} in the {lang} catalog", gid)

    def citation(self, raw: object, gid: str) -> Citation:
        if not isinstance(raw, Mapping) or not raw.get("instrument") or not raw.get("pinpoint"):
            raise self.fail("needs a citation with instrument, pinpoint and as_of", gid)
        unknown = sorted(str(k) for k in raw if k not in CITATION_KEYS)
        if unknown:
            raise self.fail(f"citation: unknown key(s) {', '.join(unknown)}", gid)
        as_of = raw.get("as_of")
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                raise self.fail(f"citation as_of {as_of!r} is not a date", gid) from None
        if not isinstance(as_of, dt.date):
            raise self.fail("citation needs 'as_of' (a date)", gid)
        url = str(raw["url"]) if raw.get("url") else None
        return Citation(str(raw["instrument"]), str(raw["pinpoint"]), as_of, url)
