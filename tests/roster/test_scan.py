"""The fast column-wise reader agrees with the per-row reader, or hands the file over."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import examples, rosters
from visadesk.engine.frame import frame_facts
from visadesk.roster import RosterError, read_roster, write_roster
from visadesk.roster.scan import fast_roster
from visadesk.roster.schema import COLUMN_BY_NAME, ColumnType, FactValue

SPELLINGS = {
    ColumnType.BOOL: lambda v, d: d.draw(st.sampled_from([v, v.upper(), v.title(), " " + v])),
    ColumnType.ENUM: lambda v, d: d.draw(
        st.sampled_from([v, v.upper(), v.replace("_", " ").title(), v + " "])
    ),
    ColumnType.COUNTRY: lambda v, d: d.draw(
        st.sampled_from([v, v.lower(), {"KR": "KOR", "VN": "Viet Nam"}.get(v, v)])
    ),
    ColumnType.DATE: lambda v, d: d.draw(
        st.sampled_from([v, v.replace("-", "."), v.replace("-", "/"), v.replace("-", ".", 1)])
    ),
    ColumnType.ACTIVITIES: lambda v, d: d.draw(
        st.sampled_from(
            [
                v,
                ",".join(reversed(v.split(";"))),
                v.upper(),
                v.replace("_", " "),
                v + ";" + v.split(";")[0],
            ]
        )
    ),
}


def both(
    path: Path, *, in_memory: bool
) -> tuple[list[dict[str, FactValue]] | None, list[dict[str, FactValue]] | RosterError]:
    try:
        expected: list[dict[str, FactValue]] | RosterError = [
            r.facts for r in read_roster(path).rows
        ]
    except RosterError as error:
        expected = error
    fast = fast_roster(path, in_memory=in_memory)
    return (None if fast is None else list(frame_facts(fast.frame.collect()))), expected


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rosters(max_rows=8), data=st.data(), in_memory=st.booleans())
def test_fast_reader_agrees_or_hands_over(
    rows: list[dict[str, FactValue]], data: st.DataObject, in_memory: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        write_roster(rows, path)
        fast, expected = both(path, in_memory=in_memory)
        assert fast == expected, "a plain roster written by write_roster must take the fast path"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            grid = list(csv.reader(fh))
        header = grid[0]
        for line in grid[1:]:
            for i, cell in enumerate(line):
                column = COLUMN_BY_NAME[header[i]]
                if cell and column.type in SPELLINGS and data.draw(st.booleans()):
                    line[i] = SPELLINGS[column.type](cell, data)
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(grid)
        fast, expected = both(path, in_memory=in_memory)
        if fast is not None:
            assert not isinstance(expected, RosterError), "the fast reader accepted a bad roster"
            assert fast == expected


def test_sample_takes_the_fast_path(sample_csv: Path) -> None:
    fast = fast_roster(sample_csv)
    assert fast is not None
    assert list(frame_facts(fast.frame.collect())) == [
        r.facts for r in read_roster(sample_csv).rows
    ]


def test_korean_headers_and_cp949_hand_over(tmp_path: Path, sample_csv: Path) -> None:
    facts = [r.facts for r in read_roster(sample_csv).rows]
    path = tmp_path / "ko.csv"
    write_roster(facts, path, korean_headers=True, encoding="cp949")
    assert fast_roster(path) is None
    assert [r.facts for r in read_roster(path).rows] == facts
