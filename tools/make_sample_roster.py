#!/usr/bin/env python3
"""Write visadesk's bundled sample roster (CSV + Korean-style XLSX) and check it.

The sample tells one story: a fictional battery maker, Hanbit Energy Solutions,
is building a cell plant in Bryan County, Georgia, with two Korean
subcontractors (an equipment maker and a construction/utilities contractor) and
two foreign equipment vendors; a second fictional sponsor, Haeon Marine
Industries, is modernising a shipyard in Philadelphia. Every row is written by
hand below so that each person shows a deliberate pattern (see the comment on
each row and ``src/visadesk/data/sample/README.md``).

Everything here is fictional: companies, people, passport numbers. There is no
resident registration number anywhere.

Outputs (relative to the repository root):

* ``src/visadesk/data/sample/roster.csv``: canonical English headers, UTF-8
  with BOM, ISO dates, ``yes``/``no`` booleans, ``;``-separated activities.
* ``src/visadesk/data/sample/roster.xlsx``: the same rows as a Korean company's
  Excel would hold them: sheet ``출장자명단``, Korean headers (the first Korean
  alias of each column in ``visadesk.roster.schema``), real date cells
  formatted ``yyyy-mm-dd``, ``Y``/``N`` booleans, bold frozen header row.
* ``src/visadesk/data/sample/README.md``: bilingual description; its pattern
  table is computed from the rows (see ``PATTERNS``), so it cannot drift.

All files are byte-for-byte reproducible (fixed workbook and zip timestamps).

Usage::

    .venv/bin/python tools/make_sample_roster.py            # write, then check
    .venv/bin/python tools/make_sample_roster.py --check    # only check the files

Dependencies: the standard library and openpyxl (plus the column contract in
``visadesk.roster.schema``, imported from ``src/``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

import openpyxl  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from visadesk.atomic import atomic_path  # noqa: E402
from visadesk.roster.schema import (  # noqa: E402
    ACTIVITY_CODES,
    COLUMNS,
    Column,
    ColumnType,
    FactValue,
)

OUT_DIR = SRC / "visadesk" / "data" / "sample"
CSV_PATH = OUT_DIR / "roster.csv"
XLSX_PATH = OUT_DIR / "roster.xlsx"
README_PATH = OUT_DIR / "README.md"
SHEET_NAME = "출장자명단"
DATE_FORMAT = "yyyy-mm-dd"
#: Fixed timestamp for workbook properties and zip entries (reproducible bytes).
FIXED_STAMP = dt.datetime(2026, 1, 5, 9, 0, 0)

#: Trip window the sample covers (the brief: starts between these dates).
TRIP_START_MIN = dt.date(2026, 12, 15)
TRIP_START_MAX = dt.date(2027, 6, 30)
MAX_TRIP_DAYS = 430  # about 14 months

Row = dict[str, FactValue]
Y, N = True, False

# --------------------------------------------------------------------------
# ISO 3166-1 alpha-2 (officially assigned codes), for the country check.
_ISO_ALPHA2_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ
    BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR
    CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR
    TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_ALPHA2 = frozenset(_ISO_ALPHA2_TEXT.split())
US_STATES = frozenset({"GA", "PA", "TX"})

# --------------------------------------------------------------------------
# Company and project facts shared by many rows.

HANBIT = "Hanbit Energy Solutions"
HANBIT_US = "Hanbit Battery Georgia LLC"
HANBIT_GA: Row = {
    "sponsor": HANBIT,
    "project": "Hanbit GA Cell Plant",
    "site_state": "GA",
    "worksite": "Hanbit-GA Battery Plant, Bryan County, GA",
    "sector": "batteries",
    "project_end": dt.date(2028, 6, 30),  # issue #11: named in the B-1 annotation
    "us_entity": HANBIT_US,
    "us_entity_treaty_ownership_pct": 100,
    "us_entity_e2_registered": Y,
}

#: The sponsor's own staff: the US entity is its wholly owned subsidiary; the
#: group holds an approved blanket L; the plant's need for them is permanent.
#: The production line was bought from Korea, but Hanbit is its buyer, not its
#: seller: no contract of sale obliges Hanbit staff to install or service it.
SPONSOR_STAFF: Row = {
    **HANBIT_GA,
    "employer": HANBIT,
    "employer_nationality": "KR",
    "equipment_from_abroad": Y,
    "contract_requires_service": N,
    "employer_is_seller": N,  # issue #11: the buyer, not the seller (9 FAM 402.2-5(E)(1))
    "us_entity_affiliated": Y,
    "blanket_l": Y,
    "temporary_need": N,
}

#: Daeseong sold the electrode coating line (built in Korea) to the US entity.
DAESEONG: Row = {
    **HANBIT_GA,
    "employer": "Daeseong Precision Machinery",
    "employer_nationality": "KR",
    "us_entity_affiliated": N,
    "blanket_l": N,
    "equipment_from_abroad": Y,
    "employer_is_seller": Y,  # issue #11: the seller of the equipment
}

#: Sejin builds the plant's buildings and utilities (a one-time need).
SEJIN: Row = {
    **HANBIT_GA,
    "employer": "Sejin Plant Engineering & Construction",
    "employer_nationality": "KR",
    "us_entity_affiliated": N,
    "blanket_l": N,
}

#: German vendor of the calender press and drying ovens.
KELLER: Row = {
    **HANBIT_GA,
    "employer": "Keller Beschichtungstechnik GmbH",
    "employer_nationality": "DE",
    "us_entity_treaty_ownership_pct": 0,  # no German owners
    "us_entity_affiliated": N,
    "blanket_l": N,
    "equipment_from_abroad": Y,
    "employer_is_seller": Y,  # issue #11: the seller of the equipment
}

#: Japanese vendor of the dry-room dehumidification units.
TSUKUBA: Row = {
    **HANBIT_GA,
    "employer": "Tsukuba Dry Room Systems Co., Ltd.",
    "employer_nationality": "JP",
    "us_entity_treaty_ownership_pct": 0,  # no Japanese owners
    "us_entity_affiliated": N,
    "blanket_l": N,
    "equipment_from_abroad": Y,
    "employer_is_seller": Y,  # issue #11: the seller of the equipment
}

#: Second sponsor and project: a shipyard in Philadelphia. The US entity is
#: wholly Korean-owned but its E-2 registration with the consulate is still
#: pending; the group has no blanket L.
HAEON = "Haeon Marine Industries"
HAEON_PA: Row = {
    "employer": HAEON,
    "employer_nationality": "KR",
    "sponsor": HAEON,
    "project": "Haeon Philadelphia Shipyard Modernization",
    "site_state": "PA",
    "worksite": "Haeon Philadelphia Shipyard, Philadelphia, PA",
    "sector": "shipbuilding",
    "project_end": dt.date(2028, 12, 29),  # issue #11: named in the B-1 annotation
    "us_entity": "Haeon Shipyard Philadelphia LLC",
    "us_entity_treaty_ownership_pct": 100,
    "us_entity_e2_registered": N,
    "us_entity_affiliated": Y,
    "blanket_l": N,
    "temporary_need": N,
}

#: Defaults for facts about the person (each row overrides what its story needs).
PERSON_DEFAULTS: Row = {
    "paid_by": "home_employer",
    "prior_visa_refusal": N,
    "prior_esta_denial": N,
    "prior_overstay": N,
    "visited_restricted_country": N,
    "days_in_us_last_365": 0,
}

_AUTO = "auto"


_DE_ALPHABET = "CFGHJKLMNPRTVWXYZ0123456789"  # German passport serial characters


def _de_serial(n: int) -> str:
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(_DE_ALPHABET))
        chars.append(_DE_ALPHABET[r])
    return "C" + "".join(chars)


#: Passport number shapes by issuing country, from a stable integer.
_PASSPORT_FORMATS: dict[str, Any] = {
    "KR": lambda n: f"M{n % 10**8:08d}",
    "VN": lambda n: f"C{n % 10**7:07d}",
    "PH": lambda n: f"P{n % 10**7:07d}{'ABCDEFGHJK'[n % 10]}",
    "IN": lambda n: f"{'TVWZ'[n % 4]}{n % 10**7:07d}",
    "ID": lambda n: f"C{n % 10**7:07d}",
    "UZ": lambda n: f"FA{n % 10**7:07d}",
    "JP": lambda n: f"TK{n % 10**7:07d}",
    "DE": _de_serial,
}


def _passport(worker_id: str, nationality: str) -> str:
    """A fictional passport number in the issuing country's usual shape.

    Derived from a hash of the worker id, so it is stable across runs.
    """
    n = int(hashlib.sha256(worker_id.encode()).hexdigest(), 16)
    return str(_PASSPORT_FORMATS[nationality](n))


def person(  # noqa: PLR0917 - positional identity fields keep each row spec compact
    base: Mapping[str, FactValue],
    worker_id: str,
    family_name: str,
    given_name: str,
    name_ko: str | None,
    birth_date: str,
    nationality: str,
    *,
    trip: tuple[str, str],
    activities: str,
    role: str,
    passport: str | None = _AUTO,
    **facts: FactValue,
) -> Row:
    """Build one roster row: company base, person defaults, then the row's own facts."""
    unknown = set(facts) - {c.name for c in COLUMNS}
    if unknown:
        raise KeyError(f"{worker_id}: unknown columns {sorted(unknown)}")
    row: Row = {c.name: None for c in COLUMNS}
    row.update(PERSON_DEFAULTS)
    row.update(base)
    row.update(
        worker_id=worker_id,
        family_name=family_name,
        given_name=given_name,
        name_ko=name_ko,
        birth_date=dt.date.fromisoformat(birth_date),
        passport_number=_passport(worker_id, nationality) if passport == _AUTO else passport,
        nationality=nationality,
        trip_start=dt.date.fromisoformat(trip[0]),
        trip_end=dt.date.fromisoformat(trip[1]),
        activities=tuple(activities.split(";")),
        role=role,
    )
    for name, value in facts.items():
        if isinstance(value, str) and name in ("visa_expiry",):
            row[name] = dt.date.fromisoformat(value)
        else:
            row[name] = value
    _l1_facts(row, given=set(facts))
    return row


def _l1_facts(row: Row, *, given: set[str]) -> None:
    """Issue #11: the L-1 facts a sponsor knows of its own group's staff (affiliated US entity).

    The year abroad qualified for executives, managers and staff with specialized
    knowledge (at least 12 months with the group); a manager who will run the US entity
    is primarily managerial. Anything else stays blank (not asserted). A row's own
    value wins.
    """
    if row["us_entity_affiliated"] is not True:
        return
    months = row["months_with_employer_last_3y"]
    qualified = row["role"] in ("executive", "manager") or row["specialized_knowledge"] is True
    if (
        "qualifying_job_abroad" not in given
        and isinstance(months, int)
        and months >= 12
        and qualified
    ):
        row["qualifying_job_abroad"] = Y
    acts = row["activities"]
    if (
        "primarily_managerial" not in given
        and row["role"] == "manager"
        and isinstance(acts, tuple)
        and "manage_us_entity" in acts
    ):
        row["primarily_managerial"] = Y


P = person


# --------------------------------------------------------------------------
# The rows. Comments give each person's story; README.md groups them by pattern.

# fmt: off
ROWS: list[Row] = [
    # ===== Hanbit Energy Solutions: the sponsor's own staff (HB) =====
    # --- Clean business visitors.
    # VP Global Operations: board meetings and the utility supply contract; ESTA.
    P(SPONSOR_STAFF, "HB-0001", "KIM", "JAEHYUN", "김재현", "1966-05-21", "KR",
      trip=("2027-01-11", "2027-01-16"), activities="meetings;negotiation", role="executive",
      degree="master", months_with_employer_last_3y=36, days_in_us_last_365=24),
    # Procurement manager negotiating local materials contracts; ESTA.
    P(SPONSOR_STAFF, "HB-0002", "LEE", "SUJIN", "이수진", "1981-09-03", "KR",
      trip=("2027-02-08", "2027-02-12"), activities="negotiation;meetings", role="manager",
      degree="bachelor", months_with_employer_last_3y=36, days_in_us_last_365=12),
    # Cell designer presenting at a battery conference; holds a B1/B2 valid to 2031.
    P(SPONSOR_STAFF, "HB-0003", "PARK", "JUNHO", "박준호", "1988-11-27", "KR",
      trip=("2027-03-15", "2027-03-19"), activities="conference;meetings", role="specialist",
      degree="master", specialized_knowledge=Y, months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2031-08-09", days_in_us_last_365=5),
    # EHS manager: a three-day safety audit of the site; ESTA.
    P(SPONSOR_STAFF, "HB-0004", "CHOI", "EUNJI", "최은지", "1984-02-14", "KR",
      trip=("2026-12-15", "2026-12-17"), activities="site_survey", role="manager",
      degree="bachelor", months_with_employer_last_3y=36, days_in_us_last_365=40),
    # CFO: lender meetings and a site visit; his B1/B2 expires mid-trip (04-10).
    P(SPONSOR_STAFF, "HB-0005", "JUNG", "TAEYOUNG", "정태영", "1970-07-30", "KR",
      trip=("2027-04-05", "2027-04-16"), activities="meetings;negotiation;site_survey",
      role="executive", degree="master", months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2027-04-10", days_in_us_last_365=18),
    # --- VWP bars and risks.
    # Quality specialist auditing suppliers; an ESTA was denied in 2025: needs a visa.
    P(SPONSOR_STAFF, "HB-0006", "KANG", "MINSEO", "강민서", "1990-04-18", "KR",
      trip=("2027-02-22", "2027-03-05"), activities="site_survey;meetings", role="specialist",
      degree="bachelor", specialized_knowledge=Y, months_with_employer_last_3y=30,
      prior_esta_denial=Y),
    # Customer-quality manager; refused a B-1 under 214(b) in 2025, plans ESTA (risk).
    P(SPONSOR_STAFF, "HB-0007", "YOON", "JIHOON", "윤지훈", "1986-12-02", "KR",
      trip=("2027-03-08", "2027-03-19"), activities="meetings;site_survey", role="manager",
      degree="bachelor", months_with_employer_last_3y=36, prior_visa_refusal=Y),
    # --- Specialized trainers (no contract clause; the line was bought from Korea).
    # Coating-process expert training US operators on Hanbit's own process; ESTA.
    P(SPONSOR_STAFF, "HB-0008", "HAN", "JIWON", "한지원", "1983-06-11", "KR",
      trip=("2027-04-05", "2027-05-28"), activities="train_us_workers", role="specialist",
      degree="master", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=N, months_with_employer_last_3y=36),
    # Formation/aging trainer for 110 days on a B1/B2; HR left the contract column
    # blank ("not our contract").
    P(SPONSOR_STAFF, "HB-0009", "OH", "SEUNGWOO", "오승우", "1979-10-25", "KR",
      trip=("2027-05-10", "2027-08-27"), activities="train_us_workers", role="specialist",
      degree="bachelor", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=None, months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2029-03-02"),
    # --- Supervisor of construction who does not build.
    # Owner's construction manager overseeing Sejin's crews; ESTA, 74 days.
    P(SPONSOR_STAFF, "HB-0010", "SEO", "DONGHYUN", "서동현", "1975-01-19", "KR",
      trip=("2026-12-15", "2027-02-26"), activities="supervise_construction;site_survey;meetings",
      role="manager", degree="bachelor", months_with_employer_last_3y=36,
      days_in_us_last_365=60),
    # --- Georgia patterns among the sponsor's own staff.
    # Process engineer installing the line on ESTA; Hanbit is the buyer, not the
    # seller, so no sale contract obliges it to install.
    P(SPONSOR_STAFF, "HB-0011", "JANG", "WOOJIN", "장우진", "1987-08-08", "KR",
      trip=("2027-03-02", "2027-05-21"), activities="install_equipment;train_us_workers",
      role="specialist", degree="bachelor", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=N, months_with_employer_last_3y=36),
    # Runs trial production shifts while coaching US operators; ESTA planned.
    P(SPONSOR_STAFF, "HB-0012", "LIM", "SOYEON", "임소연", "1992-03-29", "KR",
      trip=("2027-05-03", "2027-06-25"), activities="production_work;train_us_workers",
      role="technician", degree="associate", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=N, months_with_employer_last_3y=36),
    # Production work on a B1/B2 visa during ramp-up.
    P(SPONSOR_STAFF, "HB-0013", "HONG", "SEOKJIN", "홍석진", "1985-05-05", "KR",
      trip=("2027-05-17", "2027-07-09"), activities="production_work;service_equipment",
      role="specialist", degree="bachelor", specialized_knowledge=Y, equipment_from_abroad=Y,
      months_with_employer_last_3y=36, holds_visa="B1/B2", visa_expiry="2030-01-22"),
    # Seconded to the US payroll for the trip, yet planned on ESTA.
    P(SPONSOR_STAFF, "HB-0014", "BAE", "JUNYOUNG", "배준영", "1989-09-14", "KR",
      trip=("2027-03-15", "2027-06-04"), activities="install_equipment;train_us_workers",
      role="technician", paid_by="us_entity", degree="associate", specialized_knowledge=Y,
      equipment_from_abroad=Y, contract_requires_service=N, months_with_employer_last_3y=36),
    # --- E-2 and L-1 candidates: long assignments to the US entity.
    # President-designate of the US entity, 14 months: E-2 executive or blanket L-1A.
    P(SPONSOR_STAFF, "HB-0015", "KWON", "SANGHOON", "권상훈", "1964-12-09", "KR",
      trip=("2027-01-04", "2028-02-29"), activities="manage_us_entity;meetings", role="executive",
      degree="master", months_with_employer_last_3y=36, days_in_us_last_365=45),
    # Production manager for the first year of operation: E-2 manager.
    P(SPONSOR_STAFF, "HB-0016", "SONG", "JAEWOOK", "송재욱", "1976-02-17", "KR",
      trip=("2027-03-01", "2028-02-28"), activities="manage_us_entity;production_work",
      role="manager", degree="bachelor", months_with_employer_last_3y=36),
    # Electrode process specialist with skills essential to the plant: E-2 (essential).
    P(SPONSOR_STAFF, "HB-0017", "YOO", "HANA", "유하나", "1988-07-07", "KR",
      trip=("2027-04-01", "2028-03-31"), activities="production_work;train_us_workers",
      role="specialist", degree="master", specialized_knowledge=Y, essential_skills=Y,
      months_with_employer_last_3y=28),
    # MES/automation specialist; the HR sheet left the ownership share blank.
    P(SPONSOR_STAFF, "HB-0018", "AHN", "JIHO", "안지호", "1991-01-30", "KR",
      trip=("2027-04-12", "2028-01-28"), activities="production_work;service_equipment",
      role="specialist", degree="bachelor", specialized_knowledge=Y, essential_skills=Y,
      months_with_employer_last_3y=22, us_entity_treaty_ownership_pct=None),
    # Maintenance manager; ownership share and E-2 registration both left blank.
    P(SPONSOR_STAFF, "HB-0019", "MOON", "SEONGHO", "문성호", "1978-04-22", "KR",
      trip=("2027-02-01", "2028-01-31"), activities="manage_us_entity;service_equipment",
      role="manager", degree="bachelor", months_with_employer_last_3y=36,
      specialized_knowledge=Y, us_entity_treaty_ownership_pct=None,
      us_entity_e2_registered=None),
    # Maintenance technician for a year; essential skills / specialized knowledge unknown.
    P(SPONSOR_STAFF, "HB-0020", "JEON", "DAEHO", "전대호", "1993-06-06", "KR",
      trip=("2027-05-03", "2028-04-28"), activities="service_equipment;production_work",
      role="technician", degree="associate", months_with_employer_last_3y=14),
    # Plant quality manager: blanket L-1A (also E-2).
    P(SPONSOR_STAFF, "HB-0021", "NAM", "KYUNGMIN", "남경민", "1977-11-11", "KR",
      trip=("2027-02-15", "2028-02-11"), activities="manage_us_entity;meetings", role="manager",
      degree="master", months_with_employer_last_3y=30),
    # Cell-assembly specialist with Hanbit-proprietary knowledge: blanket L-1B.
    P(SPONSOR_STAFF, "HB-0022", "HEO", "JUNGWOO", "허정우", "1986-03-03", "KR",
      trip=("2027-03-22", "2028-03-17"),
      activities="production_work;train_us_workers;service_equipment", role="specialist",
      degree="bachelor", specialized_knowledge=Y, essential_skills=Y,
      months_with_employer_last_3y=24),
    # Quality analytics specialist, L-1B; the blanket-L column was left blank.
    P(SPONSOR_STAFF, "HB-0023", "KO", "EUNBI", "고은비", "1990-12-24", "KR",
      trip=("2027-06-01", "2028-05-26"), activities="production_work;train_us_workers",
      role="specialist", degree="master", specialized_knowledge=Y,
      months_with_employer_last_3y=18, blanket_l=None),
    # Dry-room specialist hired from a competitor 8 months ago: no L-1; E-2 still open.
    P(SPONSOR_STAFF, "HB-0024", "YANG", "SEUNGMIN", "양승민", "1984-08-19", "KR",
      trip=("2027-04-19", "2028-04-14"), activities="production_work;service_equipment",
      role="specialist", degree="bachelor", specialized_knowledge=Y, essential_skills=Y,
      months_with_employer_last_3y=8),
    # --- Professional (specialty-occupation) work.
    # Indian cell-design engineer at Hanbit's Korean R&D centre: not VWP, not E-2;
    # H-1B, B-1 in lieu of H-1B, or L-1B.
    P(SPONSOR_STAFF, "HB-0025", "NAIR", "ARJUN", None, "1990-02-08", "IN",
      trip=("2027-02-15", "2027-06-30"), activities="professional_work;meetings",
      role="specialist", degree="master", specialized_knowledge=Y,
      months_with_employer_last_3y=30, us_entity_treaty_ownership_pct=0),
    # Electrical design engineer on the Korean payroll: B-1 in lieu of H-1B candidate.
    P(SPONSOR_STAFF, "HB-0026", "CHO", "YERIN", "조예린", "1994-05-13", "KR",
      trip=("2027-03-08", "2027-05-28"), activities="professional_work;meetings",
      role="specialist", degree="bachelor", months_with_employer_last_3y=34),
    # Battery chemist (PhD) partly paid by the US entity: no B-1 in lieu; H-1B/L-1B.
    P(SPONSOR_STAFF, "HB-0027", "SHIN", "JOONHYUK", "신준혁", "1982-10-01", "KR",
      trip=("2027-04-05", "2027-09-24"), activities="professional_work", role="specialist",
      paid_by="mixed", degree="doctorate", specialized_knowledge=Y,
      months_with_employer_last_3y=36),
    # --- Heavy prior presence, held visas.
    # Programme manager who spent 212 of the last 365 days in the US on B1/B2 and
    # now plans another 208 days on it.
    P(SPONSOR_STAFF, "HB-0028", "HWANG", "MIRAE", "황미래", "1980-01-16", "KR",
      trip=("2027-01-18", "2027-08-13"), activities="site_survey;meetings;supervise_construction",
      role="manager", degree="bachelor", months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2028-11-30", days_in_us_last_365=212),
    # Admin/HR head already posted on E-2; the E-2 visa expires 2027-03-31.
    P(SPONSOR_STAFF, "HB-0029", "BAEK", "SUNGHOON", "백성훈", "1974-03-27", "KR",
      trip=("2027-01-04", "2027-12-23"), activities="manage_us_entity", role="manager",
      degree="master", months_with_employer_last_3y=36, holds_visa="E2",
      visa_expiry="2027-03-31", days_in_us_last_365=300),
    # Essential-skills specialist already posted; E-2 visa valid through 2029.
    P(SPONSOR_STAFF, "HB-0030", "NOH", "JIYOUNG", "노지영", "1987-09-09", "KR",
      trip=("2027-01-11", "2027-12-17"), activities="production_work;train_us_workers",
      role="specialist", degree="bachelor", specialized_knowledge=Y, essential_skills=Y,
      months_with_employer_last_3y=36, holds_visa="E2", visa_expiry="2029-05-31",
      days_in_us_last_365=320),
    # COO of the US entity, transferred on blanket L-1A; L1 visa valid to mid-2028.
    P(SPONSOR_STAFF, "HB-0031", "KIM", "DOHYUN", "김도현", "1969-06-15", "KR",
      trip=("2027-01-04", "2027-12-31"), activities="manage_us_entity", role="executive",
      degree="master", months_with_employer_last_3y=36, holds_visa="L1",
      visa_expiry="2028-06-30", days_in_us_last_365=330),
    # Utilities lead who supervises Sejin and makes tie-ins himself: never B-1; E-2.
    P(SPONSOR_STAFF, "HB-0032", "LEE", "KANGHO", "이강호", "1982-04-04", "KR",
      trip=("2027-02-01", "2028-01-28"), activities="supervise_construction;construction_work",
      role="manager", degree="bachelor", essential_skills=Y, months_with_employer_last_3y=34),
    # New hire added at the last minute: passport being renewed, history not yet asked.
    P(SPONSOR_STAFF, "HB-0033", "PARK", "SOJIN", "박소진", "1995-07-21", "KR",
      trip=("2027-06-28", "2027-07-09"), activities="meetings;site_survey", role="technician",
      passport=None, prior_visa_refusal=None, prior_esta_denial=None, prior_overstay=None,
      visited_restricted_country=None, days_in_us_last_365=None),

    # ===== Daeseong Precision Machinery: seller of the coating line (DS) =====
    # VP Sales negotiating the second coating line; ESTA.
    P(DAESEONG, "DS-0001", "CHA", "YONGSU", "차용수", "1967-08-23", "KR",
      trip=("2027-01-25", "2027-01-28"), activities="negotiation;meetings", role="executive",
      degree="bachelor", months_with_employer_last_3y=36, days_in_us_last_365=15),
    # Installer under the sale contract's installation clause; ESTA: lawful.
    P(DAESEONG, "DS-0002", "YOON", "SANGMIN", "윤상민", "1985-03-12", "KR",
      trip=("2027-02-01", "2027-03-26"), activities="install_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36),
    # Installation and operator training under the clause for 110 days, on a B1/B2
    # issued through the KIT desk.
    P(DAESEONG, "DS-0003", "KANG", "DONGWOOK", "강동욱", "1980-12-30", "KR",
      trip=("2027-02-01", "2027-05-21"), activities="install_equipment;train_us_workers",
      role="specialist", degree="bachelor", specialized_knowledge=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2030-06-17"),
    # Warranty service visit under the contract; ESTA: lawful.
    P(DAESEONG, "DS-0004", "CHO", "MINSEOK", "조민석", "1988-06-02", "KR",
      trip=("2027-05-10", "2027-06-18"), activities="service_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36, days_in_us_last_365=30),
    # Installation site manager for 103 days with no visa: too long for ESTA.
    P(DAESEONG, "DS-0005", "LIM", "HYUNWOO", "임현우", "1976-09-09", "KR",
      trip=("2027-01-18", "2027-04-30"), activities="install_equipment;meetings",
      role="manager", degree="bachelor", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36),
    # Installs the slitter, sold without an installation clause; ESTA (Georgia pattern).
    P(DAESEONG, "DS-0006", "SHIN", "JAEWON", "신재원", "1990-11-05", "KR",
      trip=("2027-03-02", "2027-05-14"), activities="install_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, contract_requires_service=N,
      months_with_employer_last_3y=36),
    # Installer on ESTA; nobody checked the contract for a service clause (blank).
    P(DAESEONG, "DS-0007", "HWANG", "SEUNGHO", "황승호", "1987-02-20", "KR",
      trip=("2027-03-02", "2027-04-30"), activities="install_equipment;service_equipment",
      role="technician", degree="associate", specialized_knowledge=Y,
      months_with_employer_last_3y=36),
    # Installer whose site allowance is paid as wages by the US entity: US source.
    P(DAESEONG, "DS-0008", "JUNG", "KIHOON", "정기훈", "1983-05-28", "KR",
      trip=("2027-02-15", "2027-04-23"), activities="install_equipment", role="technician",
      paid_by="mixed", degree="associate", specialized_knowledge=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36),
    # Maintenance trainer; training was sold separately, not in the sale contract.
    P(DAESEONG, "DS-0009", "OH", "MIJIN", "오미진", "1986-10-10", "KR",
      trip=("2027-05-17", "2027-06-25"), activities="train_us_workers", role="specialist",
      degree="bachelor", specialized_knowledge=Y, contract_requires_service=N,
      months_with_employer_last_3y=36),
    # Senior installer who overstayed an ESTA admission by 12 days in 2018: no VWP.
    P(DAESEONG, "DS-0010", "KIM", "BYUNGCHUL", "김병철", "1972-01-08", "KR",
      trip=("2027-02-01", "2027-03-31"), activities="install_equipment", role="technician",
      degree="none", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36, prior_overstay=Y),
    # Service engineer who commissioned a plant in Libya in 2012: no VWP.
    P(DAESEONG, "DS-0011", "SON", "GEUNHO", "손근호", "1971-07-14", "KR",
      trip=("2027-03-15", "2027-04-09"), activities="service_equipment;train_us_workers",
      role="specialist", degree="bachelor", specialized_knowledge=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36,
      visited_restricted_country=Y),
    P(DAESEONG, "DS-0012", "RYU", "JONGHYUN", "류종현", "1978-04-30", "KR",
      trip=("2027-02-01", "2027-09-30"),
      activities="install_equipment;train_us_workers;service_equipment", role="specialist",
      degree="master", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36, holds_visa="B1/B2", visa_expiry="2030-09-30"),
    # Lead commissioning engineer for 242 days on B1/B2: longer than a B-1 stay.
    # Field-service technician with 172 days in the US last year, ESTA again.
    P(DAESEONG, "DS-0013", "JANG", "CHULMIN", "장철민", "1982-12-12", "KR",
      trip=("2027-04-05", "2027-06-03"), activities="service_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36, days_in_us_last_365=172),
    # Indonesian technician of Daeseong: lawful activity, but needs a B-1 visa.
    P(DAESEONG, "DS-0014", "SETIAWAN", "ADI NUGROHO", None, "1991-08-17", "ID",
      trip=("2027-03-02", "2027-04-30"), activities="install_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=28, us_entity_treaty_ownership_pct=0),
    # Junior installer on his first site: specialized knowledge not stated.
    P(DAESEONG, "DS-0015", "KIM", "HYUNJUN", "김현준", "1998-01-22", "KR",
      trip=("2027-03-02", "2027-04-30"), activities="install_equipment", role="technician",
      degree="associate", contract_requires_service=Y, months_with_employer_last_3y=14),

    # ===== Sejin Plant Engineering & Construction: buildings and utilities (SJ) =====
    # Electrician pulling cable on a B1/B2 (Georgia pattern).
    P(SEJIN, "SJ-0001", "KIM", "YOUNGHO", "김영호", "1979-03-03", "KR",
      trip=("2027-01-05", "2027-03-31"), activities="construction_work", role="technician",
      degree="none", months_with_employer_last_3y=36, temporary_need=Y,
      holds_visa="B1/B2", visa_expiry="2029-11-14", days_in_us_last_365=40),
    # Pipefitter on a B1/B2 (Georgia pattern).
    P(SEJIN, "SJ-0002", "PARK", "JINSU", "박진수", "1984-09-19", "KR",
      trip=("2027-01-05", "2027-02-26"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=20, temporary_need=Y,
      holds_visa="B1/B2", visa_expiry="2028-05-02"),
    # Installs chillers for the dry rooms on ESTA; origin of the chillers and any
    # contract clause are unknown to the sponsor.
    P(SEJIN, "SJ-0003", "LEE", "SEUNGJAE", "이승재", "1983-07-07", "KR",
      trip=("2027-02-08", "2027-04-16"), activities="install_equipment;service_equipment",
      role="technician", degree="associate", specialized_knowledge=Y,
      months_with_employer_last_3y=36),
    # Welder on a B1/B2 that also expires mid-trip (02-15).
    P(SEJIN, "SJ-0004", "CHOI", "JUNGSIK", "최정식", "1977-12-01", "KR",
      trip=("2027-01-11", "2027-04-02"), activities="construction_work",
      role="laborer", degree="none", months_with_employer_last_3y=36, temporary_need=Y,
      holds_visa="B1/B2", visa_expiry="2027-02-15"),
    # Site manager directing US trade crews without doing the work: lawful B-1.
    P(SEJIN, "SJ-0005", "WOO", "JAESUNG", "우재성", "1970-10-30", "KR",
      trip=("2027-01-04", "2027-04-02"), activities="supervise_construction", role="manager",
      degree="bachelor", months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2030-02-28", days_in_us_last_365=20),
    # Working foreman: supervises and builds; ESTA planned.
    P(SEJIN, "SJ-0006", "KWAK", "DONGHYUK", "곽동혁", "1975-05-15", "KR",
      trip=("2027-01-11", "2027-03-26"), activities="supervise_construction;construction_work",
      role="technician", degree="none", months_with_employer_last_3y=36, temporary_need=Y),
    # Construction supervisor who worked on a housing project in Iraq in 2015: no VWP.
    P(SEJIN, "SJ-0007", "MIN", "KYUNGHWAN", "민경환", "1968-02-29", "KR",
      trip=("2027-01-18", "2027-03-19"), activities="supervise_construction;site_survey",
      role="manager", degree="bachelor", months_with_employer_last_3y=36,
      visited_restricted_country=Y),
    # Formwork carpenter for the build season: H-2B candidate.
    P(SEJIN, "SJ-0008", "SEO", "MANSIK", "서만식", "1981-06-23", "KR",
      trip=("2027-03-01", "2027-12-17"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=30, temporary_need=Y),
    # Vietnamese rebar worker employed by Sejin in Korea: H-2B candidate.
    P(SEJIN, "SJ-0009", "NGUYEN", "VAN HUNG", None, "1992-04-30", "VN",
      trip=("2027-03-01", "2027-12-17"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=20, temporary_need=Y,
      us_entity_treaty_ownership_pct=0),
    # Vietnamese welder, refused a US visa under 214(b) in 2024.
    P(SEJIN, "SJ-0010", "TRAN", "MINH DUC", None, "1989-11-02", "VN",
      trip=("2027-03-01", "2027-09-30"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=26, temporary_need=Y,
      us_entity_treaty_ownership_pct=0, prior_visa_refusal=Y),
    # Filipino pipefitter: H-2B candidate.
    P(SEJIN, "SJ-0011", "DELA CRUZ", "JOMAR", None, "1990-07-19", "PH",
      trip=("2027-02-15", "2027-11-26"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=24, temporary_need=Y,
      us_entity_treaty_ownership_pct=0),
    # Filipino electrician; whether the need is temporary was left blank.
    P(SEJIN, "SJ-0012", "REYES", "MARK ANTHONY", None, "1987-01-05", "PH",
      trip=("2027-02-15", "2027-08-13"), activities="construction_work", role="technician",
      degree="associate", months_with_employer_last_3y=32, us_entity_treaty_ownership_pct=0),
    # Uzbek steel erector; travel and immigration history not collected yet.
    P(SEJIN, "SJ-0013", "KARIMOV", "BEKZOD", None, "1994-09-09", "UZ",
      trip=("2027-04-05", "2027-12-17"), activities="construction_work", role="laborer",
      degree="none", months_with_employer_last_3y=16, temporary_need=Y,
      us_entity_treaty_ownership_pct=0, prior_visa_refusal=None, prior_esta_denial=None,
      prior_overstay=None, visited_restricted_country=None),
    # Uzbek labourer from a staffing partner: tenure, need and US days unknown.
    P(SEJIN, "SJ-0014", "YUSUPOV", "SHERZOD", None, "1996-03-21", "UZ",
      trip=("2027-04-05", "2027-10-29"), activities="construction_work", role="laborer",
      degree="none", us_entity_treaty_ownership_pct=0, days_in_us_last_365=None),
    # Electrical lead, partly on a US payroll, builds and supervises; ESTA planned.
    P(SEJIN, "SJ-0015", "JEON", "SANGWOO", "전상우", "1985-08-31", "KR",
      trip=("2027-02-01", "2027-04-23"), activities="supervise_construction;construction_work",
      role="technician", paid_by="mixed", degree="associate",
      months_with_employer_last_3y=36, temporary_need=Y),
    # Sejin's project manager for 240 days on B1/B2: longer than a B-1 stay.
    P(SEJIN, "SJ-0016", "YOO", "BYUNGJIN", "유병진", "1966-11-20", "KR",
      trip=("2027-01-04", "2027-08-31"), activities="supervise_construction;meetings;site_survey",
      role="manager", degree="bachelor", months_with_employer_last_3y=36,
      holds_visa="B1/B2", visa_expiry="2031-01-15", days_in_us_last_365=35),
    # Safety manager inspecting and instructing crews, not building; ESTA.
    P(SEJIN, "SJ-0017", "HAN", "SORA", "한소라", "1991-04-09", "KR",
      trip=("2027-01-04", "2027-03-05"), activities="site_survey;supervise_construction;meetings",
      role="specialist", degree="bachelor", months_with_employer_last_3y=36),

    # ===== Foreign equipment vendors to the Georgia plant (KB, TD) =====
    # German engineer installing the calender press under the contract; ESTA.
    P(KELLER, "KB-0001", "WAGNER", "LUKAS", None, "1982-05-17", "DE",
      trip=("2027-03-01", "2027-03-26"), activities="install_equipment;service_equipment",
      role="specialist", degree="master", specialized_knowledge=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36),
    # German application engineer training US operators under the contract; ESTA.
    P(KELLER, "KB-0002", "HOFFMANN", "ANNA", None, "1987-10-03", "DE",
      trip=("2027-04-12", "2027-05-07"), activities="train_us_workers;service_equipment",
      role="specialist", degree="bachelor", specialized_knowledge=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36, days_in_us_last_365=10),
    # Japanese engineer installing dry-room dehumidifiers under the contract; ESTA.
    P(TSUKUBA, "TD-0001", "NAKAMURA", "TAKUYA", None, "1979-06-28", "JP",
      trip=("2027-02-15", "2027-03-12"), activities="install_equipment", role="specialist",
      degree="bachelor", specialized_knowledge=Y, contract_requires_service=Y,
      months_with_employer_last_3y=36),

    # ===== Haeon Marine Industries: Philadelphia shipyard (HM) =====
    # Chairman's office: Navy and supplier meetings, yard tour; ESTA.
    P(HAEON_PA, "HM-0001", "CHUNG", "MYUNGSOO", "정명수", "1965-09-12", "KR",
      trip=("2027-01-19", "2027-01-25"), activities="meetings;negotiation;site_survey",
      role="executive", degree="master", months_with_employer_last_3y=36,
      days_in_us_last_365=21),
    # Yard general manager: L-1A needs a USCIS petition (no blanket); E-2 waits
    # on the entity's registration.
    P(HAEON_PA, "HM-0002", "KIM", "SUNGJIN", "김성진", "1973-04-04", "KR",
      trip=("2027-02-01", "2028-01-31"), activities="manage_us_entity;supervise_construction",
      role="manager", degree="bachelor", months_with_employer_last_3y=34),
    # Welding-process trainer for robot cells bought from Korea; no contract clause.
    P(HAEON_PA, "HM-0003", "PARK", "YOUNGSIK", "박영식", "1977-08-16", "KR",
      trip=("2027-03-08", "2027-04-30"), activities="train_us_workers", role="specialist",
      degree="associate", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=N, months_with_employer_last_3y=36),
    # Naval architect doing design work for the US yard on the Korean payroll.
    P(HAEON_PA, "HM-0004", "LEE", "SEOYOUNG", "이서영", "1992-02-25", "KR",
      trip=("2027-04-05", "2027-07-02"), activities="professional_work", role="specialist",
      degree="bachelor", months_with_employer_last_3y=30),
    # Installs the robotic panel line under the seller's clause; whether Haeon is the
    # seller or performs its obligation is not given (issue #11): ESTA and B-1 ask.
    P(HAEON_PA, "HM-0005", "CHOI", "WOOSUNG", "최우성", "1984-01-31", "KR",
      trip=("2027-03-08", "2027-05-07"), activities="install_equipment", role="technician",
      degree="associate", specialized_knowledge=Y, equipment_from_abroad=Y,
      contract_requires_service=Y, months_with_employer_last_3y=36),
    # Shipfitter sent to work hull blocks on ESTA: production work.
    P(HAEON_PA, "HM-0006", "KIM", "GWANGSOO", "김광수", "1990-05-09", "KR",
      trip=("2027-05-03", "2027-07-23"), activities="production_work", role="laborer",
      degree="none", months_with_employer_last_3y=36),
    # Welder for a one-time repair backlog: H-2B candidate.
    P(HAEON_PA, "HM-0007", "PARK", "DONGGUK", "박동국", "1988-12-18", "KR",
      trip=("2027-06-07", "2028-03-31"), activities="production_work", role="laborer",
      degree="none", specialized_knowledge=N, essential_skills=N,
      months_with_employer_last_3y=36, temporary_need=Y),
]
# fmt: on


# --------------------------------------------------------------------------
# Patterns: which rows show what. Computed from the facts (never hand-listed), so
# README.md cannot drift from the data; the check requires at least two rows each.

VISITOR_ACTS = frozenset({"meetings", "negotiation", "conference", "site_survey"})
HANDS_ON_ACTS = frozenset({"install_equipment", "service_equipment"})
B1_TYPE_ACTS = (
    VISITOR_ACTS
    | HANDS_ON_ACTS
    | {
        "train_us_workers",
        "supervise_construction",
        "professional_work",  # only as B-1 in lieu of H-1B
    }
)
HISTORY = (
    "prior_visa_refusal",
    "prior_esta_denial",
    "prior_overstay",
    "visited_restricted_country",
)
VWP_BARS = ("prior_esta_denial", "prior_overstay", "visited_restricted_country")


def _acts(r: Row) -> frozenset[str]:
    acts = r["activities"]
    assert isinstance(acts, tuple)
    return frozenset(acts)


def _days(r: Row) -> int:
    start, end = r["trip_start"], r["trip_end"]
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    return (end - start).days + 1


def _visitor_status(r: Row) -> bool:
    """Planned on ESTA (no visa held) or on a held B1 / B1/B2 visa."""
    held = r["holds_visa"]
    return held is None or str(held).startswith("B1")


def _esta_plan(r: Row) -> bool:
    return r["holds_visa"] is None and _days(r) <= 90


def _own_long_assignment(r: Row) -> bool:
    return (
        r["us_entity_affiliated"] is True
        and r["nationality"] == r["employer_nationality"] == "KR"
        and _days(r) > 180
    )


def _expiry_before_end(r: Row) -> bool | None:
    expiry, end = r["visa_expiry"], r["trip_end"]
    if not isinstance(expiry, dt.date) or not isinstance(end, dt.date):
        return None
    return expiry < end


def blank_facts(r: Row) -> list[str]:
    """Facts left blank that the screening of this row depends on."""
    acts = _acts(r)
    relevant: list[str] = ["passport_number", *HISTORY, "days_in_us_last_365"]
    if acts & (HANDS_ON_ACTS | {"train_us_workers"}):
        relevant += ["specialized_knowledge", "equipment_from_abroad", "contract_requires_service"]
        if acts & HANDS_ON_ACTS:
            relevant += ["employer_is_seller"]  # issue #11: 9 FAM 402.2-5(E)(1)
    if r["us_entity_affiliated"] is True and _days(r) > 180:
        relevant += ["us_entity_treaty_ownership_pct", "us_entity_e2_registered", "blanket_l"]
        relevant += ["months_with_employer_last_3y"]
        if r["role"] in ("specialist", "technician", "laborer"):
            relevant += ["essential_skills", "specialized_knowledge"]
    if r["role"] == "laborer" or "construction_work" in acts:
        relevant += ["temporary_need", "months_with_employer_last_3y"]
    return [c.name for c in COLUMNS if c.name in relevant and r[c.name] is None]


#: (key, English, Korean, predicate)
PATTERNS: list[tuple[str, str, str, Any]] = [
    (
        "visitor",
        "Business visitor only (meetings, negotiation, conference, site survey); "
        "no VWP bar or visa refusal",
        "순수 상용 방문(회의·협상·학회·현장 점검), VWP 결격·비자 거절 이력 없음",
        lambda r: _acts(r) <= VISITOR_ACTS and all(r[h] is False for h in HISTORY),
    ),
    (
        "e1_install",
        "Install/service/train on equipment bought abroad WITH the contract clause, "
        "specialized knowledge, home pay: B-1 9 FAM 402.2-5(E)(1) activity (same on ESTA)",
        "해외 구매 설비 설치·정비·교육 + 계약서 설치조항·전문지식·본국 급여 충족: "
        "B-1 (E)(1) 허용 활동(ESTA 동일)",
        lambda r: (
            bool(_acts(r) & HANDS_ON_ACTS)
            and _acts(r) <= B1_TYPE_ACTS
            and r["contract_requires_service"] is True
            and r["specialized_knowledge"] is True
            and r["equipment_from_abroad"] is True
            and r["paid_by"] == "home_employer"
        ),
    ),
    (
        "ga_esta_install",
        "GEORGIA: Korean installer/servicer on ESTA (no visa), contract clause N or blank",
        "조지아 유형: 비자 없이 ESTA로 설비 설치·정비, 계약서 설치조항 N 또는 미기재",
        lambda r: (
            r["nationality"] == "KR"
            and _esta_plan(r)
            and bool(_acts(r) & HANDS_ON_ACTS)
            and r["contract_requires_service"] is not True
        ),
    ),
    (
        "ga_sub_blank",
        "GEORGIA: subcontractor staff installing/servicing, contract-clause fact blank",
        "조지아 유형: 협력사 직원 설치·정비, 계약서 설치조항 미기재",
        lambda r: (
            r["employer"] != r["sponsor"]
            and bool(_acts(r) & HANDS_ON_ACTS)
            and r["contract_requires_service"] is None
        ),
    ),
    (
        "ga_construction",
        "GEORGIA: hands-on construction_work on visitor status (B1/B2 held, or ESTA ≤ 90 days)",
        "조지아 유형: 방문 신분(B1/B2 보유 또는 90일 이내 ESTA)으로 직접 시공",
        lambda r: (
            "construction_work" in _acts(r)
            and (str(r["holds_visa"] or "").startswith("B1") or _esta_plan(r))
        ),
    ),
    (
        "ga_production",
        "GEORGIA: production_work on visitor status",
        "조지아 유형: 방문 신분으로 생산 작업",
        lambda r: (
            "production_work" in _acts(r)
            and (str(r["holds_visa"] or "").startswith("B1") or _esta_plan(r))
        ),
    ),
    (
        "ga_us_paid",
        "GEORGIA: paid by the US entity (us_entity or mixed) on a visitor plan",
        "조지아 유형: 미국 법인 급여(전부·일부)인데 방문 신분 계획",
        lambda r: r["paid_by"] != "home_employer" and _visitor_status(r) and _days(r) <= 180,
    ),
    (
        "trainer",
        "Specialized trainer: training only, equipment from abroad, NO contract clause "
        "(N or blank), home pay: new B-1 provision 9 FAM 402.2-5(E)(2) from 2025-12-04",
        "전문 교육강사: 교육만 수행, 해외 구매 설비, 계약서 조항 없음(N·미기재), 본국 급여: "
        "2025-12-04 신설 B-1 전문교육강사 조항",
        lambda r: (
            "train_us_workers" in _acts(r)
            and _acts(r) <= {"train_us_workers", "meetings"}
            and r["contract_requires_service"] is not True
            and r["equipment_from_abroad"] is True
            and r["paid_by"] == "home_employer"
        ),
    ),
    (
        "supervise_only",
        "Supervises construction without doing it (allowed on B-1)",
        "직접 시공 없이 시공 감독·지도만(B-1 허용)",
        lambda r: "supervise_construction" in _acts(r) and "construction_work" not in _acts(r),
    ),
    (
        "supervise_build",
        "Supervises AND does construction_work",
        "시공 감독과 직접 시공을 함께 수행",
        lambda r: {"supervise_construction", "construction_work"} <= _acts(r),
    ),
    (
        "e2",
        "E-2 candidate: Korean staff of the Korean-owned US entity on a long assignment "
        "(executive/manager, or essential skills)",
        "E-2 후보: 한국 법인 소유 미국 법인에 장기 파견되는 한국인 직원(임원·관리자 또는 필수기술)",
        lambda r: (
            _own_long_assignment(r)
            and (r["role"] in ("executive", "manager") or r["essential_skills"] is True)
        ),
    ),
    (
        "e2_blank",
        "E-2 facts left blank (ownership %, E-2 registration, essential skills)",
        "E-2 판단 항목 미기재(지분율, E-2 등록, 필수기술)",
        lambda r: (
            _own_long_assignment(r)
            and (
                r["us_entity_treaty_ownership_pct"] is None
                or r["us_entity_e2_registered"] is None
                or (r["role"] not in ("executive", "manager") and r["essential_skills"] is None)
            )
        ),
    ),
    (
        "l1a",
        "L-1A candidate: executive/manager of an affiliated employer, >= 12 months' tenure",
        "L-1A 후보: 계열 관계 고용주의 임원·관리자, 최근 3년 중 12개월 이상 근속",
        lambda r: (
            r["us_entity_affiliated"] is True
            and r["role"] in ("executive", "manager")
            and isinstance(r["months_with_employer_last_3y"], int)
            and r["months_with_employer_last_3y"] >= 12
            and _days(r) > 180
        ),
    ),
    (
        "l1b",
        "L-1B candidate: specialized knowledge, affiliated employer, >= 12 months' tenure",
        "L-1B 후보: 전문지식 보유, 계열 관계 고용주, 12개월 이상 근속",
        lambda r: (
            r["us_entity_affiliated"] is True
            and r["role"] not in ("executive", "manager")
            and r["specialized_knowledge"] is True
            and isinstance(r["months_with_employer_last_3y"], int)
            and r["months_with_employer_last_3y"] >= 12
            and _days(r) > 120
        ),
    ),
    (
        "l1_short",
        "L-1 fails on tenure: fewer than 12 months with the employer group",
        "L-1 근속 요건 미달: 최근 3년 중 근속 12개월 미만",
        lambda r: (
            r["us_entity_affiliated"] is True
            and isinstance(r["months_with_employer_last_3y"], int)
            and r["months_with_employer_last_3y"] < 12
        ),
    ),
    (
        "professional",
        "Professional (specialty-occupation) work: H-1B, or B-1 in lieu of H-1B if home-paid",
        "전문직 업무: H-1B, 본국 급여라면 B-1 in lieu of H-1B",
        lambda r: "professional_work" in _acts(r),
    ),
    (
        "h2b",
        "H-2B candidate: laborer, employer's need is temporary (seasonal/peak-load/one-time)",
        "H-2B 후보: 단순 기능·노무 인력, 일시적(계절·성수기·일회성) 수요",
        lambda r: r["role"] == "laborer" and r["temporary_need"] is True and _days(r) > 90,
    ),
    (
        "vwp_bar",
        "VWP barred: prior ESTA denial, prior overstay, or visit to a restricted country",
        "VWP 결격: ESTA 거부, 체류기간 초과, 제한국가 방문 이력",
        lambda r: any(r[b] is True for b in VWP_BARS),
    ),
    (
        "refusal",
        "Prior US visa refusal: an ESTA risk, not a bar",
        "미국 비자 거절 이력: ESTA 위험 요인(결격 아님)",
        lambda r: r["prior_visa_refusal"] is True,
    ),
    (
        "over_90",
        "Visitor-type trip longer than 90 days (beyond ESTA), up to 180",
        "90일 초과 180일 이하 방문형 출장(ESTA 불가)",
        lambda r: _visitor_status(r) and _acts(r) <= B1_TYPE_ACTS and 90 < _days(r) <= 180,
    ),
    (
        "over_180",
        "Visitor-type trip longer than 180 days (beyond a usual B-1 admission)",
        "180일 초과 방문형 출장(통상 B-1 체류기간 초과)",
        lambda r: _visitor_status(r) and _acts(r) <= B1_TYPE_ACTS and _days(r) > 180,
    ),
    (
        "heavy_presence",
        "Heavy prior presence: >= 150 days in the US in the last 365",
        "최근 1년 미국 체류 150일 이상",
        lambda r: isinstance(r["days_in_us_last_365"], int) and r["days_in_us_last_365"] >= 150,
    ),
    (
        "visa_expires",
        "Holds a visa that expires before trip_end",
        "보유 비자가 귀국 전에 만료",
        lambda r: _expiry_before_end(r) is True,
    ),
    (
        "visa_valid",
        "Holds a visa valid through the whole trip",
        "보유 비자가 출장 기간 내내 유효",
        lambda r: _expiry_before_end(r) is False,
    ),
    (
        "tcn",
        "Third-country national (not Korean): VWP only for DE/JP; E-2 needs treaty nationality",
        "제3국 국적자: VWP는 독일·일본만, E-2는 조약국 국적 필요",
        lambda r: r["nationality"] != "KR",
    ),
    (
        "needs_info",
        "Blanks in facts that matter (screening gives needs_info); see the list below",
        "판단에 필요한 항목 미기재(needs_info 예상): 아래 목록 참조",
        lambda r: bool(blank_facts(r)),
    ),
]


def pattern_rows(rows: list[Row]) -> list[tuple[str, str, str, list[str]]]:
    return [
        (key, en, ko, [str(r["worker_id"]) for r in rows if pred(r)])
        for key, en, ko, pred in PATTERNS
    ]


# --------------------------------------------------------------------------
# README.md (bilingual), generated so that it always matches the rows.

_CAST = [
    (
        "HB",
        HANBIT,
        "sponsor's own staff (Korea); US entity Hanbit Battery Georgia LLC",
        "발주사 본사 직원; 미국 법인 Hanbit Battery Georgia LLC",
    ),
    (
        "DS",
        "Daeseong Precision Machinery",
        "Korean subcontractor: sold and installs the electrode coating line",
        "한국 협력사: 전극 코팅 라인 판매·설치",
    ),
    (
        "SJ",
        "Sejin Plant Engineering & Construction",
        "Korean subcontractor: buildings and utilities construction",
        "한국 협력사: 건축·유틸리티 시공",
    ),
    (
        "KB",
        "Keller Beschichtungstechnik GmbH",
        "German vendor: calender press, drying ovens",
        "독일 설비 공급사: 캘린더 프레스·건조로",
    ),
    (
        "TD",
        "Tsukuba Dry Room Systems Co., Ltd.",
        "Japanese vendor: dry-room dehumidifiers",
        "일본 설비 공급사: 드라이룸 제습 설비",
    ),
    (
        "HM",
        HAEON,
        "second sponsor: Philadelphia shipyard (PA, sector shipbuilding)",
        "두 번째 발주사: 필라델피아 조선소(PA, 조선 업종)",
    ),
]


def render_readme(rows: list[Row]) -> str:
    def count(prefix: str) -> int:
        return sum(1 for r in rows if str(r["worker_id"]).startswith(prefix + "-"))

    nationalities = sorted({str(r["nationality"]) for r in rows})
    tcn = sum(1 for r in rows if r["nationality"] != "KR")
    starts = sorted(r["trip_start"] for r in rows)  # type: ignore[type-var]
    lines = [
        "# Sample roster / 샘플 출장자 명단",
        "",
        f"A realistic, entirely fictional roster of {len(rows)} planned US trips, bundled with",
        "visadesk for demos, tests and reports. Companies, people and passport numbers are",
        "invented; there is no resident registration number. Screening results are guidance,",
        "not legal advice.",
        "",
        f"시연·테스트·보고서용으로 visadesk에 포함된 가상의 출장자 명단입니다({len(rows)}건).",
        "회사·인물·여권번호는 모두 가상이며 주민등록번호는 없습니다. 심사 결과는 법률 자문이",
        "아닌 참고용 안내입니다.",
        "",
        "## Files / 파일",
        "",
        "| file | content |",
        "|---|---|",
        "| `roster.csv` | canonical English headers, UTF-8 with BOM, ISO dates, `yes`/`no`, "
        "activities separated by `;` / 영문 표준 헤더, BOM 포함 UTF-8 |",
        f"| `roster.xlsx` | the same rows as Korean Excel: sheet `{SHEET_NAME}`, Korean headers, "
        "date cells (`yyyy-mm-dd`), `Y`/`N` / 같은 행을 한글 헤더·날짜 셀·Y/N으로 저장 |",
        "",
        "Both are generated by `tools/make_sample_roster.py` (deterministic; it also checks "
        "that both files hold the same rows). Do not edit them by hand.",
        "두 파일은 `tools/make_sample_roster.py`로 생성합니다(결정적 생성, 두 파일 일치 검사 "
        "포함). 직접 수정하지 마십시오.",
        "",
        "## Who is in it / 구성",
        "",
        f"{HANBIT} (fictional) builds the Hanbit GA Cell Plant at the Hanbit-GA Battery Plant,",
        "Bryan County, Georgia (sector `batteries`). Its US entity, Hanbit Battery Georgia LLC,",
        "is 100% Korean-owned and registered as an E-2 enterprise; it is affiliated with",
        "Hanbit's own staff and not with the subcontractors or vendors. A second sponsor,",
        f"{HAEON}, modernises a shipyard in Philadelphia (sector `shipbuilding`); its US",
        "entity is 100% Korean-owned but its E-2 registration is still pending, and the group",
        "holds no blanket L (Hanbit's does).",
        "",
        f"가상의 {HANBIT}가 조지아주 브라이언 카운티에 배터리 셀 공장을 건설합니다(업종",
        "`batteries`). 미국 법인 Hanbit Battery Georgia LLC는 한국 지분 100%, E-2 기업 등록을",
        "마쳤으며 본사 직원과는 계열 관계, 협력사·설비 공급사와는 계열 관계가 아닙니다. 두",
        f"번째 발주사 {HAEON}는 필라델피아 조선소를 현대화하며(업종 `shipbuilding`), 미국",
        "법인은 한국 지분 100%이나 E-2 등록이 진행 중이고 블랭킷 L이 없습니다.",
        "",
        "| id prefix | employer / 고용주 | story | 역할 | rows |",
        "|---|---|---|---|---|",
    ]
    for prefix, employer, en, ko in _CAST:
        lines.append(f"| `{prefix}-` | {employer} | {en} | {ko} | {count(prefix)} |")
    lines += [
        "",
        f"Nationalities / 국적: {', '.join(nationalities)} ({tcn} third-country nationals / "
        f"제3국 국적자 {tcn}명). Trips start / 입국일: {starts[0]} – {starts[-1]}; "
        f"durations / 기간: {min(_days(r) for r in rows)}–{max(_days(r) for r in rows)} days.",
        "For third-country nationals `us_entity_treaty_ownership_pct` is 0: the column is the",
        "share owned by nationals of the worker's own country.",
        "제3국 국적자의 `us_entity_treaty_ownership_pct`는 0입니다(근로자 본인 국적자의 지분율).",
        "",
        "## Patterns / 유형별 행",
        "",
        "Computed from the facts by the generator; a row can show several patterns.",
        "생성 스크립트가 사실값으로부터 계산하며, 한 행이 여러 유형에 해당할 수 있습니다.",
        "",
        "| pattern | 유형 | worker_id |",
        "|---|---|---|",
    ]
    for _key, en, ko, ids in pattern_rows(rows):
        lines.append(f"| {en} | {ko} | {', '.join(ids)} |")
    lines += [
        "",
        "## Blank facts / 미기재 항목",
        "",
        'Blank means "not known"; the engine never guesses it.',
        '빈 칸은 "모름"을 뜻하며, 엔진은 이를 추정하지 않습니다.',
        "",
    ]
    for r in rows:
        blanks = blank_facts(r)
        if blanks:
            lines.append(f"- `{r['worker_id']}`: {', '.join(f'`{b}`' for b in blanks)}")
    lines.append("")
    return "\n".join(lines)


def write_readme(rows: list[Row], path: Path) -> None:
    write_file(path, render_readme(rows).encode("utf-8"))


def write_file(path: Path, data: bytes) -> None:
    """Write atomically, readable by all (package data, not a secret)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        tmp.chmod(0o644)


# --------------------------------------------------------------------------
# Encoding rows for CSV and XLSX, and decoding them back.


def korean_header(column: Column) -> str:
    """The first alias written in Hangul, else the canonical English name."""
    for alias in column.aliases:
        if any("\uac00" <= ch <= "\ud7a3" for ch in alias):
            return alias
    return column.name


def to_csv_cell(column: Column, value: FactValue) -> str:
    if value is None:
        return ""
    match column.type:
        case ColumnType.BOOL:
            return "yes" if value else "no"
        case ColumnType.DATE:
            assert isinstance(value, dt.date)
            return value.isoformat()
        case ColumnType.ACTIVITIES:
            assert isinstance(value, tuple)
            return ";".join(value)
        case _:
            return str(value)


def from_csv_cell(column: Column, text: str) -> FactValue:
    if text == "":
        return None
    match column.type:
        case ColumnType.BOOL:
            return {"yes": True, "no": False}[text]
        case ColumnType.DATE:
            return dt.date.fromisoformat(text)
        case ColumnType.ACTIVITIES:
            return tuple(text.split(";"))
        case ColumnType.INT | ColumnType.NUMBER:
            return int(text)
        case _:
            return text


def to_xlsx_cell(column: Column, value: FactValue) -> Any:
    if value is None:
        return None
    match column.type:
        case ColumnType.BOOL:
            return "Y" if value else "N"
        case ColumnType.ACTIVITIES:
            assert isinstance(value, tuple)
            return ";".join(value)
        case _:
            return value


def from_xlsx_cell(column: Column, value: Any) -> FactValue:
    if value is None or value == "":
        return None
    match column.type:
        case ColumnType.BOOL:
            return {"Y": True, "N": False}[value]
        case ColumnType.DATE:
            assert isinstance(value, dt.datetime), (column.name, value)
            return value.date()
        case ColumnType.ACTIVITIES:
            return tuple(str(value).split(";"))
        case ColumnType.INT | ColumnType.NUMBER:
            assert isinstance(value, int), (column.name, value)
            return value
        case _:
            return str(value)


def write_csv(rows: Iterable[Row], path: Path) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    for row in rows:
        writer.writerow([to_csv_cell(c, row[c.name]) for c in COLUMNS])
    write_file(path, buf.getvalue().encode("utf-8-sig"))


def _display_width(text: str) -> int:
    """Approximate Excel column width: East Asian wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(rows: list[Row], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    headers = [korean_header(c) for c in COLUMNS]
    ws.append(headers)
    for row in rows:
        ws.append([to_xlsx_cell(c, row[c.name]) for c in COLUMNS])

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for idx, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(idx)
        if column.type is ColumnType.DATE:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = DATE_FORMAT
        elif column.type is ColumnType.BOOL:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.alignment = Alignment(horizontal="center")
        longest = max(
            [_display_width(headers[idx - 1])]
            + [
                len(DATE_FORMAT)
                if column.type is ColumnType.DATE
                else _display_width(str(to_xlsx_cell(column, r[column.name]) or ""))
                for r in rows
            ]
        )
        ws.column_dimensions[letter].width = min(max(longest + 2, 6), 48)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions

    wb.properties.creator = HANBIT
    wb.properties.title = "출장자 명단 (sample roster)"
    wb.properties.created = FIXED_STAMP
    buf = io.BytesIO()
    wb.save(buf)
    write_file(path, _reproducible_zip(buf.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed entry times and a fixed 'modified' property."""
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    payload,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, payload)
    return out.getvalue()


# --------------------------------------------------------------------------
# Checks.


def read_csv(path: Path) -> list[Row]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header = next(reader)
    assert header == [c.name for c in COLUMNS], header
    return [
        {c.name: from_csv_cell(c, text) for c, text in zip(COLUMNS, line, strict=True)}
        for line in reader
    ]


def read_xlsx(path: Path) -> list[Row]:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == SHEET_NAME, wb.sheetnames
    ws = wb[SHEET_NAME]
    assert ws.freeze_panes == "A2", ws.freeze_panes
    header_cells = next(ws.iter_rows(min_row=1, max_row=1))
    assert all(cell.font.bold for cell in header_cells)
    by_header: dict[str, Column] = {}
    for c in COLUMNS:
        for key in (c.name, *c.aliases):
            by_header[key] = c
    columns = [by_header[str(cell.value)] for cell in header_cells]
    assert [c.name for c in columns] == [c.name for c in COLUMNS]
    assert [cell.value for cell in header_cells] == [korean_header(c) for c in COLUMNS]
    rows: list[Row] = []
    for cells in ws.iter_rows(min_row=2):
        row: Row = {}
        for column, cell in zip(columns, cells, strict=True):
            if column.type is ColumnType.DATE and cell.value is not None:
                assert cell.number_format == DATE_FORMAT, (column.name, cell.number_format)
            row[column.name] = from_xlsx_cell(column, cell.value)
        rows.append(row)
    return rows


def _validate_value(column: Column, value: FactValue, wid: FactValue) -> None:
    """Assert one non-blank value is allowed by its column in the contract."""
    where = (wid, column.name, value)
    match column.type:
        case ColumnType.ENUM:
            assert value in column.choices, where
        case ColumnType.ACTIVITIES:
            assert isinstance(value, tuple) and value, where
            assert all(code in ACTIVITY_CODES for code in value), where
            assert len(set(value)) == len(value), where
        case ColumnType.COUNTRY:
            assert value in ISO_ALPHA2, where
        case ColumnType.BOOL:
            assert isinstance(value, bool), where
        case ColumnType.DATE:
            assert isinstance(value, dt.date), where
        case ColumnType.INT | ColumnType.NUMBER:
            assert isinstance(value, int) and not isinstance(value, bool), where
            assert column.minimum is None or value >= column.minimum, where
            assert column.maximum is None or value <= column.maximum, where
        case _:
            assert isinstance(value, str) and value == value.strip() and value, where


def _validate_story(r: Row) -> None:
    """Assert the row fits the sample's story (dates, names, passports)."""
    wid = r["worker_id"]
    start, end, birth = r["trip_start"], r["trip_end"], r["birth_date"]
    assert isinstance(start, dt.date) and isinstance(end, dt.date), wid
    assert TRIP_START_MIN <= start <= TRIP_START_MAX, (wid, start)
    assert start <= end and (end - start).days + 1 <= MAX_TRIP_DAYS, (wid, start, end)
    assert isinstance(birth, dt.date) and 18 <= (start - birth).days // 365 <= 65, wid
    assert r["site_state"] in US_STATES, wid
    for name in ("family_name", "given_name"):
        assert re.fullmatch(r"[A-Z][A-Z ]*", str(r[name])), (wid, name)
    if r["nationality"] == "KR":
        assert re.fullmatch(r"[\uac00-\ud7a3]{2,4}", str(r["name_ko"])), wid
        passport = r["passport_number"]
        assert passport is None or re.fullmatch(r"M\d{8}", str(passport)), (wid, passport)
    if r["visa_expiry"] is not None:
        assert r["holds_visa"] is not None, wid
    # Nothing may look like a resident registration number (######-#######).
    for value in r.values():
        assert not re.search(r"\d{6}-?[1-4]\d{6}", str(value)), (wid, value)


def validate(rows: list[Row]) -> None:
    """Assert every value is allowed by the column contract and the sample's story."""
    assert len(rows) >= 64, len(rows)
    ids = [r["worker_id"] for r in rows]
    assert len(set(ids)) == len(ids), "worker_id must be unique"
    passports = [r["passport_number"] for r in rows if r["passport_number"]]
    assert len(set(passports)) == len(passports), "passport numbers must be unique"
    for r in rows:
        assert list(r) == [c.name for c in COLUMNS], r["worker_id"]
        for c in COLUMNS:
            value = r[c.name]
            if c.required:
                assert value not in (None, "", ()), (r["worker_id"], c.name)
            if value is not None:
                _validate_value(c, value, r["worker_id"])
        _validate_story(r)
    for key, _en, _ko, pattern_ids in pattern_rows(rows):
        least = 1 if key == "l1_short" else 2  # the story has exactly one short-tenure hire
        assert len(pattern_ids) >= least, f"pattern {key!r}: {pattern_ids}"


def check() -> int:
    from_csv = read_csv(CSV_PATH)
    from_xlsx = read_xlsx(XLSX_PATH)
    assert from_csv == ROWS, "CSV differs from the row specs"
    assert from_xlsx == ROWS, "XLSX differs from the row specs"
    assert from_csv == from_xlsx
    validate(from_csv)
    assert README_PATH.read_text(encoding="utf-8") == render_readme(from_csv), "README is stale"
    print(f"ok: {len(from_csv)} rows; CSV and XLSX hold the same rows; all values valid")
    for path in (CSV_PATH, XLSX_PATH, README_PATH):
        print(f"    {path.relative_to(ROOT)}")
    print()
    for key, _en, _ko, ids in pattern_rows(from_csv):
        print(f"  {key:<16} {len(ids):>3}  {' '.join(ids)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check the existing files")
    args = parser.parse_args(argv)
    if not args.check:
        validate(ROWS)
        write_csv(ROWS, CSV_PATH)
        write_xlsx(ROWS, XLSX_PATH)
        write_readme(ROWS, README_PATH)
    return check()


if __name__ == "__main__":
    raise SystemExit(main())
