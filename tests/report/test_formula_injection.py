"""No roster text runs as a formula in what we export: CLI CSV and XLSX, what-if XLSX, the
web workbook download (on every backend), the roster writer; ordinary values stay as they are."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from tests.conftest import base_facts
from tests.desk.fixtures import PASSWORD, TODAY, World, roster_csv, roster_rows
from visadesk.cli import app
from visadesk.desk import accounts, projects, uploads
from visadesk.desk.db import write_session
from visadesk.desk.runtime import Desk
from visadesk.roster import write_roster
from visadesk.roster.schema import FactValue
from visadesk.safecells import csv_cell, is_formula_like, neutralise_workbook

runner = CliRunner()

#: What a hostile roster carries; the reader strips the blanks around a cell.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/x","click")',
    "+1+1",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
    "  =3+3",
    "＝4+4",
]
#: The free-text columns the screening outputs carry.
TEXT_COLUMNS = ("family_name", "given_name", "employer", "project")


def test_formula_like_text_is_recognised() -> None:
    for payload in PAYLOADS:
        assert is_formula_like(payload), payload
    for ordinary in ("KIM", "Hanbit GA Cell Plant", "2027-01-11", "B1 eligible: ...", "", " "):
        assert not is_formula_like(ordinary), ordinary
    assert is_formula_like("\tKIM")  # a leading tab or CR can hide what follows


def test_csv_cell_quotes_only_text() -> None:
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("\t=1+1") == "'\t=1+1"
    assert csv_cell(" -1") == "' -1"
    assert csv_cell("KIM") == "KIM"
    assert csv_cell(-3) == -3  # a number we computed stays a number
    assert csv_cell(-2.5) == -2.5


def test_neutralised_workbook_keeps_numbers_and_dates(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["=1+1", -3, dt.date(2027, 1, 11), "KIM", "-1+1"])
    neutralise_workbook(book)
    book.save(tmp_path / "x.xlsx")
    cells = load_workbook(tmp_path / "x.xlsx").worksheets[0][1]
    assert [c.data_type for c in cells] == ["s", "n", "d", "s", "s"]
    assert [c.value for c in cells] == ["=1+1", -3, dt.datetime(2027, 1, 11), "KIM", "-1+1"]
    assert [c.quotePrefix for c in cells] == [True, False, False, False, True]


def _hostile_rows() -> list[dict[str, FactValue]]:
    rows: list[dict[str, FactValue]] = []
    for i, payload in enumerate(PAYLOADS):
        facts = base_facts(worker_id=f"T-{i:04d}")
        for column in (*TEXT_COLUMNS, "worksite", "sponsor", "us_entity", "name_ko"):
            facts[column] = payload
        rows.append(facts)
    rows.append(base_facts(worker_id="T-9999"))  # an ordinary row
    return rows


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    write_roster(_hostile_rows(), path)
    return path


def _assert_no_formula(path_or_bytes: Path | bytes) -> list[list[object]]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = load_workbook(source)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _by_worker(table: list[list[object]]) -> dict[str, dict[str, object]]:
    head = [str(h) for h in table[0]]
    return {str(r[0]): dict(zip(head, r, strict=True)) for r in table[1:]}


def test_cli_screen_csv_and_xlsx(hostile_csv: Path, tmp_path: Path) -> None:
    out_csv, out_xlsx = tmp_path / "s.csv", tmp_path / "s.xlsx"
    for lang in ("en", "ko"):  # the readable workbook, in both languages
        readable = tmp_path / f"readable-{lang}.xlsx"
        args = ["screen", str(hostile_csv), "--xlsx", str(readable), "--lang", lang]
        result = runner.invoke(app, [*args, "--as-of", "2026-01-05"])
        assert result.exit_code == 0, result.stderr
        names = {r[2] for r in _assert_no_formula(readable)[1:]}
        assert {f"{p.strip()} {p.strip()}" for p in PAYLOADS} <= names
    args = ["screen", str(hostile_csv), "--csv", str(out_csv), "--xlsx", str(out_xlsx)]
    result = runner.invoke(app, [*args, "--as-of", "2026-01-05", "--xlsx-layout", "codes"])
    assert result.exit_code == 0, result.stderr

    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["worker_id"]: r for r in csv.DictReader(fh)}
    for i, payload in enumerate(PAYLOADS):
        for column in TEXT_COLUMNS:
            assert rows[f"T-{i:04d}"][column] == "'" + payload.strip(), (payload, column)
    plain = rows["T-9999"]
    assert (plain["family_name"], plain["given_name"]) == ("KIM", "MINSU")
    assert (plain["trip_start"], plain["row"]) == ("2026-03-02", str(len(PAYLOADS) + 2))

    workbook = _by_worker(_assert_no_formula(out_xlsx))
    for i, payload in enumerate(PAYLOADS):
        for column in TEXT_COLUMNS:
            assert workbook[f"T-{i:04d}"][column] == payload.strip(), (payload, column)
    plain_xlsx = workbook["T-9999"]
    assert (plain_xlsx["family_name"], plain_xlsx["given_name"]) == ("KIM", "MINSU")
    assert plain_xlsx["trip_start"] == dt.datetime(2026, 3, 2)
    assert plain_xlsx["row"] == len(PAYLOADS) + 2  # a number stays a number


def test_roster_writer_xlsx_has_no_formula(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    write_roster(_hostile_rows(), path)
    table = _by_worker(_assert_no_formula(path))
    assert table["T-0000"]["family_name"] == PAYLOADS[0]
    assert table["T-0004"]["employer"] == "\t=1+1"  # written exactly, shown literally
    assert table["T-9999"]["months_with_employer_last_3y"] == 36


def test_whatif_xlsx_has_no_formula(tmp_path: Path) -> None:
    """Trips that move from H-1B to E-4 are listed by worker_id, which is roster text."""
    rows = []
    for i, payload in enumerate(PAYLOADS):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=i)
        rows.append(
            base_facts(
                worker_id=payload,
                trip_start=day,
                trip_end=day + dt.timedelta(days=300),
                activities=("professional_work",),
                paid_by="mixed",
                degree="master",
                us_entity_affiliated=False,
            )
        )
    roster, out = tmp_path / "pros.csv", tmp_path / "whatif.xlsx"
    write_roster(rows, roster)
    args = ["whatif", str(roster), "--policy", "baseline+e4", "--as-of", "2026-11-27"]
    result = runner.invoke(app, [*args, "--xlsx", str(out)])
    assert result.exit_code == 0, result.stderr
    _assert_no_formula(out)
    book = load_workbook(out)
    changed = [r[0] for r in book["Changes"].iter_rows(min_row=2, values_only=True)]
    assert sorted(map(str, changed)) == sorted(p.strip() for p in PAYLOADS)
    counts = [r for r in book["Counts"].iter_rows(min_row=5, values_only=True) if r[0] == "E4"]
    assert counts and all(isinstance(v, int) for r in counts for v in r[2:4])


@pytest.fixture
def browser(client: TestClient, desk: Desk, world: World) -> Iterator[TestClient]:
    with write_session(desk.sessions) as s:
        issued = accounts.authenticate(
            s,
            email="hanbit_admin@example.test",
            password=PASSWORD,
            client="browser",
            kind="session",
        )
    with TestClient(
        client.app, raise_server_exceptions=False, cookies={"visadesk_session": issued.token}
    ) as c:
        yield c


def test_web_workbook_download_has_no_formula(
    desk: Desk, world: World, browser: TestClient
) -> None:
    rows = [
        r for r in roster_rows("Hanbit GA Cell Plant") if r["employer"] == "Hanbit Energy Solutions"
    ][: len(PAYLOADS)]
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row["family_name"] = row["given_name"] = row["worksite"] = payload
    u = world.users
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(
            s, u["hanbit_admin"], project_id=world.projects["hanbit"], name="hostile"
        )
        uploads.upload_roster(
            s,
            u["hanbit_admin"],
            batch.id,
            data=roster_csv(rows),
            filename="hostile.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        batch_id = batch.id
    r = browser.get(f"/batches/{batch_id}/screening.xlsx")
    assert r.status_code == 200, r.text
    _assert_no_formula(r.content)  # the readable workbook
    r = browser.get(f"/batches/{batch_id}/screening.xlsx", params={"layout": "codes"})
    assert r.status_code == 200, r.text
    table = _by_worker(_assert_no_formula(r.content))
    for row, payload in zip(rows, PAYLOADS, strict=True):
        assert table[row["worker_id"]]["family_name"] == payload.strip()
