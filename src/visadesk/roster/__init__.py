"""The roster: reading, validating and writing the public input contract.

``read_roster(path)`` gives a :class:`Roster` whose rows hold a fact for every
contract column, or raises :class:`RosterError` listing every problem found
(each a :class:`Problem` with row, column, masked value and a stable code,
rendered in English or Korean). ``write_roster(rows, path)`` writes the same
formats back. The columns themselves are defined in :mod:`visadesk.roster.schema`.
"""

from visadesk.roster.model import PROBLEM_CODES, Problem, Roster, RosterError, RosterRow
from visadesk.roster.read import FORMATS, read_roster
from visadesk.roster.schema import COLUMN_BY_NAME, COLUMNS, Column, ColumnType, Facts, FactValue
from visadesk.roster.validate import canonical_column, roster_from_records
from visadesk.roster.write import header_for, write_roster

__all__ = [
    "COLUMNS",
    "COLUMN_BY_NAME",
    "FORMATS",
    "PROBLEM_CODES",
    "Column",
    "ColumnType",
    "FactValue",
    "Facts",
    "Problem",
    "Roster",
    "RosterError",
    "RosterRow",
    "canonical_column",
    "header_for",
    "read_roster",
    "roster_from_records",
    "write_roster",
]
