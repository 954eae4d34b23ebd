"""The refusal grounds as rule data (``rules/baseline/refusals.yaml``): what the bundled
file says, and that the loader refuses a file with a gap, naming the file and the ground."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from visadesk.i18n import LANGUAGES, t
from visadesk.policy.refusals import RefusalError, load_refusal_grounds

#: The statute sections issue #12 names; a ground cites one of them and nothing else.
NAMED = re.compile(r"^(214\(b\)|221\(g\)|212\(a\)(\(9\)\(B\))?)$")


def test_the_bundled_grounds_are_the_issues_statute_sections() -> None:
    grounds = load_refusal_grounds()
    assert grounds.ids == ("ina_214b", "ina_221g", "ina_212a")
    for ground in grounds.grounds:
        assert ground.citation.instrument == "INA" and NAMED.match(ground.citation.pinpoint)
        # The reference text describes none of the three as a refusal ground: each says so.
        assert ground.verify and "counsel" in ground.verify
        for sub in ground.sub_grounds:
            assert NAMED.match(sub.citation.pinpoint), sub
    by_id = {g.id: g for g in grounds.grounds}
    assert by_id["ina_221g"].requires_items
    assert not by_id["ina_214b"].requires_items and not by_id["ina_212a"].requires_items
    subs = by_id["ina_212a"].sub_grounds
    assert [(s.id, str(s.citation)) for s in subs] == [
        ("a9b", "INA 212(a)(9)(B)"),  # described in the reference text (unlawful presence)
        ("other", "INA 212(a)"),
    ]
    assert subs[0].verify is None and subs[1].verify  # beyond the reference: for counsel


def test_every_ground_has_its_label_in_both_languages() -> None:
    for ground in load_refusal_grounds().grounds:
        for lang in LANGUAGES:
            assert ground.label(lang) != f"refusal.ground.{ground.id}"
            for sub in ground.sub_grounds:
                assert sub.label(lang) != f"refusal.sub_ground.{ground.id}.{sub.id}"
        assert ground.citation.pinpoint in ground.label("en")
        assert ground.label("ko") == t(f"refusal.ground.{ground.id}", "ko")


GOOD = (
    "refusals:\n"
    "  - id: ina_214b\n"
    "    citation: {instrument: INA, pinpoint: 214(b), as_of: 2026-11-27}\n"
    "    verify: counsel confirms\n"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refusals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    grounds = load_refusal_grounds(_write(tmp_path, GOOD))
    assert grounds.ids == ("ina_214b",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("grounds: []\n", "needs a top-level 'refusals:' list"),
        ("refusals: []\n", "lists no ground"),
        (GOOD + "    cite: x\n", "unknown key(s) cite"),
        (GOOD.replace("pinpoint: 214(b), ", ""), "ground ina_214b: needs a citation"),
        (GOOD.replace("as_of: 2026-11-27", "as_of: someday"), "is not a date"),
        (GOOD.replace("ina_214b", "ina_999"), "needs a label 'refusal.ground.ina_999'"),
        (GOOD + GOOD.split("\n", 1)[1], "ground ina_214b: is defined twice"),
        (GOOD + "    requires_items: sometimes\n", "'requires_items' must be true or false"),
        (
            GOOD + "    sub_grounds:\n      - id: a9b\n        citation: {instrument: INA, "
            "pinpoint: 212(a)(9)(B), as_of: 2026-11-27}\n",
            "needs a label 'refusal.sub_ground.ina_214b.a9b'",
        ),
        ("refusals: [\n", "not valid YAML"),
    ],
)
def test_a_gap_is_refused_naming_the_file_and_the_ground(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RefusalError) as refused:
        load_refusal_grounds(path)
    assert str(refused.value).startswith(str(path)), refused.value
    assert expected in str(refused.value), refused.value
