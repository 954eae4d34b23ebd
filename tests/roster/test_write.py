"""Writing rosters: headers, encodings, cell types, atomic replacement."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.cell.cell import Cell

from visadesk.roster import COLUMNS, Facts, RosterError, header_for, read_roster, write_roster
from visadesk.roster.schema import COLUMN_BY_NAME

from .helpers import ALL_COLUMNS, summary


def facts(**values: object) -> Facts:
    base: Facts = {
        "worker_id": "HB-0001",
        "family_name": "KIM",
        "given_name": "JAEHYUN",
        "name_ko": "김재현",
        "trip_start": dt.date(2027, 1, 11),
        "trip_end": dt.date(2027, 1, 16),
        "activities": ("meetings", "negotiation"),
        "role": "executive",
        "paid_by": "home_employer",
        "blanket_l": True,
        "prior_overstay": False,
        "us_entity_treaty_ownership_pct": 51.5,
        "days_in_us_last_365": 24,
    }
    base.update(values)  # type: ignore[arg-type]
    return base


def full(item: Facts) -> Facts:
    return {name: item.get(name) for name in ALL_COLUMNS}


def test_korean_header_is_the_first_korean_alias() -> None:
    assert header_for(COLUMN_BY_NAME["trip_start"], korean=True) == "입국일"
    assert header_for(COLUMN_BY_NAME["us_entity_e2_registered"], korean=True) == "E2등록"
    assert header_for(COLUMN_BY_NAME["trip_start"]) == "trip_start"
    assert all(header_for(c, korean=True) != c.name for c in COLUMNS)


def test_csv_is_utf8_with_bom_and_canonical_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_roster([facts()], path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(lines[0]) == ALL_COLUMNS
    cells = dict(zip(lines[0], lines[1], strict=True))
    assert cells["trip_start"] == "2027-01-11"
    assert cells["activities"] == "meetings;negotiation"
    assert cells["blanket_l"] == "yes" and cells["prior_overstay"] == "no"
    assert cells["essential_skills"] == ""
    assert read_roster(path).rows[0].facts == full(facts())


def test_csv_cp949_with_korean_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_roster([facts()], path, korean_headers=True, encoding="cp949")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp949")
    assert text.startswith("사번,성,영문이름,성명,")
    assert ",예," in text and ",아니오," in text
    assert read_roster(path).rows[0].facts == full(facts())


def test_cp949_cannot_hold_everything(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with pytest.raises(RosterError) as caught:
        write_roster([facts(), facts(worker_id="W-2", name_ko="김😀")], path, encoding="cp949")
    assert summary(caught.value.problems) == [(3, "name_ko", "김😀", "cannot_encode")]
    assert "cp949" in caught.value.render("ko")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left behind


def test_xlsx_cells_are_typed(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    item = facts(project="=HYPERLINK(1)", worksite="#N/A", visa_expiry=dt.date(1899, 12, 31))
    write_roster([item], path, korean_headers=True)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "명단"
    cells = {
        str(h.value): c for h, c in zip(sheet[1], sheet[2], strict=True) if isinstance(c, Cell)
    }
    assert cells["입국일"].is_date and cells["입국일"].number_format == "yyyy-mm-dd"
    assert cells["미국법인지분율"].value == 51.5
    assert cells["최근1년미국체류일수"].value == 24
    assert cells["블랭킷L"].value == "예"
    assert cells["업무"].value == "meetings;negotiation"
    assert cells["프로젝트"].data_type == "s" and cells["프로젝트"].value == "=HYPERLINK(1)"
    assert cells["현장"].data_type == "s"
    assert cells["비자만료일"].value == "1899-12-31"  # before Excel's calendar: text
    assert read_roster(path).rows[0].facts == full(item)


def test_parquet_columns_are_typed(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    write_roster([facts()], path)
    schema = pl.read_parquet_schema(path)
    assert schema["trip_start"] == pl.Date
    assert schema["blanket_l"] == pl.Boolean
    assert schema["days_in_us_last_365"] == pl.Int64
    assert schema["us_entity_treaty_ownership_pct"] == pl.Float64
    assert schema["activities"] == pl.List(pl.String)
    assert schema["essential_skills"] == pl.Boolean  # all blank, still typed
    assert read_roster(path).rows[0].facts == full(facts())


def test_json_is_a_list_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_roster([facts(), facts(worker_id="W-2")], path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["trip_start"] == "2027-01-11"
    assert data[0]["activities"] == ["meetings", "negotiation"]
    assert data[0]["blanket_l"] is True and data[0]["essential_skills"] is None
    assert data[0]["name_ko"] == "김재현"  # not \\uXXXX escapes


def test_writing_replaces_a_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old", encoding="utf-8")
    write_roster([facts()], path)
    assert json.loads(path.read_text(encoding="utf-8"))[0]["worker_id"] == "HB-0001"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_ints_in_number_columns_and_lists_of_activities_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_roster(
        [{**facts(), "us_entity_treaty_ownership_pct": 100, "activities": ["meetings"]}], path
    )
    read = read_roster(path).rows[0].facts
    assert read["us_entity_treaty_ownership_pct"] == 100.0
    assert read["activities"] == ("meetings",)


def test_wrong_keys_and_types_are_programming_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not roster columns: shoe_size"):
        write_roster([{**facts(), "shoe_size": "270"}], tmp_path / "r.csv")
    with pytest.raises(TypeError, match="trip_start: expected date"):
        write_roster([facts(trip_start="2027-01-11")], tmp_path / "r.csv")
    with pytest.raises(TypeError, match="days_in_us_last_365: expected integer, got bool"):
        write_roster([facts(days_in_us_last_365=True)], tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as caught:
        write_roster([facts()], tmp_path / "r.xls")
    assert caught.value.codes == ("unsupported_format",)
