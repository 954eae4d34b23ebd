"""Files built to exhaust a parser are refused quickly, naming the limit they exceed.

The bombs are written here with :mod:`zipfile` directly: small on disk, huge
when unpacked or parsed. Each must be refused within 2 s of this process's CPU
time (a bomb's parse took 50 s to 5 min before the limits), in English and
Korean, without the path the server kept it under. CPU time, not wall time: the
bound is on the work the reader does, which other processes on a loaded machine
do not change (wall-clock bounds failed at load average 15).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from visadesk.roster import RosterError, read_roster
from visadesk.roster.limits import DESK_LIMITS, ROSTER_LIMITS, RosterLimits

SECONDS = 2.0
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def xlsx(
    path: Path, sheet: bytes, *, shared: bytes | None = None, repeat: bytes = b"", times: int = 0
) -> Path:
    """A workbook whose only worksheet is ``sheet`` (then ``repeat`` ``times`` times, streamed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _TYPES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(sheet)
            for _ in range(times):
                member.write(repeat)
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", shared)
    return path


def zip_bomb(tmp: Path) -> Path:
    # One member of 300 MB of XML (compressed about 1.3 MB).
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    return xlsx(tmp / "bomb.xlsx", _HEAD.encode() + b"<sheetData>", repeat=row, times=250)


def shared_strings(tmp: Path) -> Path:
    strings = b"<si><t>x</t></si>" * 3_000_000
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sheet = _HEAD.encode() + b"<sheetData/></worksheet>"
    return xlsx(tmp / "shared.xlsx", sheet, shared=shared + strings + b"</sst>")


def empty_cells(tmp: Path) -> Path:
    row = b"<row>" + b"<c/>" * 400 + b"</row>"
    body = _HEAD.encode() + b"<sheetData>" + row * 10_000 + b"</sheetData></worksheet>"
    return xlsx(tmp / "cells.xlsx", body)


def huge_dimension(tmp: Path) -> Path:
    body = _HEAD + '<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    return xlsx(tmp / "dimension.xlsx", body.encode())


def wide_row(tmp: Path) -> Path:
    row = b"<row>" + b"<c/>" * 200_000 + b"</row>"
    return xlsx(tmp / "wide.xlsx", _HEAD.encode() + b"<sheetData>" + row + b"</sheetData>")


def far_cell(tmp: Path) -> Path:
    body = _HEAD + '<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>'
    return xlsx(tmp / "far.xlsx", body.encode())


def far_row(tmp: Path) -> Path:
    body = _HEAD + '<sheetData><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    return xlsx(tmp / "far-row.xlsx", (body + "</sheetData></worksheet>").encode())


def giant_cell_csv(tmp: Path) -> Path:
    path = tmp / "cell.csv"
    path.write_text("worker_id,family_name\nW1," + "A" * 5_000_000 + "\n", encoding="utf-8")
    return path


def many_rows_csv(tmp: Path) -> Path:
    path = tmp / "rows.csv"
    path.write_bytes(b"worker_id\n" + b"W\n" * 2_000_000)
    return path


def wide_json(tmp: Path) -> Path:
    path = tmp / "wide.json"
    record = "{" + ",".join(f'"c{i}": 1' for i in range(5_000)) + "}"
    path.write_text(f"[{record}]", encoding="utf-8")
    return path


# (builder, limits, the limit the refusal names)
BOMBS: list[tuple[Callable[[Path], Path], RosterLimits, str]] = [
    (zip_bomb, ROSTER_LIMITS, "xlsx_ratio"),
    (shared_strings, ROSTER_LIMITS, "xlsx_ratio"),
    (empty_cells, ROSTER_LIMITS, "xlsx_ratio"),
    (huge_dimension, ROSTER_LIMITS, "xlsx_dimension"),
    (wide_row, ROSTER_LIMITS, "columns"),
    (far_cell, ROSTER_LIMITS, "columns"),
    (far_row, DESK_LIMITS, "rows"),
    (giant_cell_csv, ROSTER_LIMITS, "cell_chars"),
    (many_rows_csv, DESK_LIMITS, "rows"),
    (wide_json, ROSTER_LIMITS, "columns"),
]


def refusal(path: Path, limits: RosterLimits, source: str | None = None) -> RosterError:
    started = time.process_time()
    with pytest.raises(RosterError) as caught:
        read_roster(path, limits=limits, source=source)
    elapsed = time.process_time() - started
    assert elapsed < SECONDS, f"{path.name}: refused after {elapsed:.1f} s of CPU time"
    return caught.value


@pytest.mark.parametrize(("build", "limits", "limit"), BOMBS, ids=[b[0].__name__ for b in BOMBS])
def test_bomb_is_refused_quickly_naming_the_limit(
    tmp_path: Path, build: Callable[[Path], Path], limits: RosterLimits, limit: str
) -> None:
    path = build(tmp_path)
    assert path.stat().st_size < 12 << 20  # small on disk
    error = refusal(path, limits, source=f"upload{path.suffix}")
    assert error.codes == ("limit_exceeded",)
    problem = error.problems[0]
    assert problem.params["limit"] == limit
    maximum = problem.params["maximum"]
    assert maximum in problem.message("en") and "limit" in problem.message("en")
    assert maximum in problem.message("ko") and "한도" in problem.message("ko")
    assert problem.params["found"] in problem.message("en")
    for lang in ("en", "ko"):
        assert str(tmp_path) not in error.render(lang)
        assert f"upload{path.suffix}" in error.render(lang)


def test_each_xlsx_limit_holds_on_its_own(tmp_path: Path) -> None:
    """With the ratio out of the way, the cell, shared-string and size checks fire."""
    tight = RosterLimits(xlsx_ratio=10**9, cells=1_000_000)
    assert refusal(empty_cells(tmp_path), tight).problems[0].params["limit"] == "cells"
    assert refusal(shared_strings(tmp_path), tight).problems[0].params["limit"] == "shared_strings"
    small = RosterLimits(xlsx_ratio=10**9, xlsx_member_bytes=10 << 20)
    assert refusal(zip_bomb(tmp_path), small).problems[0].params["limit"] == "xlsx_member_bytes"


def test_limits_do_not_refuse_an_ordinary_roster(tmp_path: Path) -> None:
    from visadesk.data import sample  # noqa: PLC0415

    folder = Path(sample.__file__).parent
    for name in ("roster.csv", "roster.xlsx"):
        roster = read_roster(folder / name, limits=DESK_LIMITS)
        assert len(roster) > 50


def test_messages_name_the_given_source_not_the_path(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("worker_id,family_name\nW1,\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path, source="team A.csv")
    for lang in ("en", "ko"):
        text = caught.value.render(lang)
        assert "team A.csv" in text
        assert str(tmp_path) not in text
