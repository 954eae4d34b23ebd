"""Shared helpers for the roster tests: minimal rows and quick file writers."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from visadesk.roster import Problem, RosterError, read_roster
from visadesk.roster.schema import COLUMNS

#: The required columns of one valid row, as text.
BASE: dict[str, str] = {
    "worker_id": "W-1",
    "family_name": "KIM",
    "given_name": "MINSU",
    "trip_start": "2026-03-02",
    "trip_end": "2026-03-20",
    "activities": "meetings",
    "role": "manager",
    "paid_by": "home_employer",
}


def row(**overrides: str) -> dict[str, str]:
    """A valid row of text cells with some cells replaced."""
    return {**BASE, **overrides}


def csv_text(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    """CSV text with ``headers`` (default: the keys of the first row)."""
    names = list(headers if headers is not None else rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for item in rows:
        writer.writerow([item.get(name, "") for name in names])
    return buffer.getvalue()


def write_csv(
    path: Path,
    rows: Sequence[Mapping[str, str]],
    *,
    headers: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write ``rows`` as CSV bytes in ``encoding``; returns ``path``."""
    path.write_bytes(csv_text(rows, headers).encode(encoding))
    return path


def problems_of(path: Path, *, sheet: str | None = None) -> tuple[Problem, ...]:
    """The problems reading ``path`` raises (fails the test if it reads fine)."""
    with pytest.raises(RosterError) as caught:
        read_roster(path, sheet=sheet)
    return caught.value.problems


def summary(problems: Sequence[Problem]) -> list[tuple[int | None, str | None, str | None, str]]:
    """Problems as ``(row, column, value, code)``, in report order."""
    return [(p.row, p.column, p.value, p.code) for p in problems]


ALL_COLUMNS: tuple[str, ...] = tuple(column.name for column in COLUMNS)
