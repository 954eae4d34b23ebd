"""The demo's world: its organizations, people and projects, and how far along the
workflow its cases are.

The people and companies are fictional. :mod:`visadesk.desk.demo_rosters` makes the
trips they file and :mod:`visadesk.desk.demo` seeds a desk with all of it. This
module is plain data (the command line reads the demo's defaults from it without
loading the desk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BANDS",
    "DEFAULT_PASSWORD",
    "DEFAULT_TRIPS",
    "DEMO_SEED",
    "DEMO_TODAY",
    "FILER",
    "MAX_TRIPS",
    "MIN_TRIPS",
    "OPEN_SHARE",
    "ORG",
    "ORGS",
    "ORG_BY_NAME",
    "PROJECTS",
    "PROJECT_BY_NAME",
    "PROJECT_BY_SECTOR",
    "SAMPLE_SHARE",
    "SPONSOR_ADMIN",
    "USERS",
    "DemoOrg",
    "DemoProject",
]

#: The day the bundled sample roster's dates are written for (its trips come after it).
#: The demo is seeded as of another day (by default the day it runs) and moves the
#: sample's dates by as many days (``demo_rosters.demo_rows``).
DEMO_TODAY: Final = dt.date(2026, 11, 27)
DEMO_SEED: Final = 2026
DEFAULT_TRIPS: Final = 200
MIN_TRIPS: Final = 20
MAX_TRIPS: Final = 5_000
#: The demo users' password when ``VISADESK_DEMO_PASSWORD`` is not set: demo data
#: on one's own machine only, printed by ``visadesk demo`` and in docs/desk.md.
DEFAULT_PASSWORD: Final = "visadesk-demo"  # noqa: S105 - a published demo password


@dataclass(frozen=True)
class DemoOrg:
    key: str
    kind: str
    name: str
    name_ko: str
    sponsor: str | None
    #: worker_id prefix of the staff it files
    prefix: str


ORGS: Final = (
    DemoOrg("desk", "desk", "Visa Desk Seoul", "서울 비자 데스크", None, ""),
    DemoOrg("hanbit", "sponsor", "Hanbit Energy Solutions", "한빛에너지솔루션", None, "HB"),
    DemoOrg("haeon", "sponsor", "Haeon Marine Industries", "해온마린인더스트리", None, "HM"),
    DemoOrg(
        "sejin",
        "subcontractor",
        "Sejin Plant Engineering & Construction",
        "세진플랜트건설",
        "hanbit",
        "SJ",
    ),
    DemoOrg(
        "daeseong", "subcontractor", "Daeseong Precision Machinery", "대성정밀기계", "hanbit", "DS"
    ),
    DemoOrg("haedam", "subcontractor", "Haedam Ship Outfitting", "해담선박의장", "haeon", "HD"),
)
ORG: Final = {o.key: o for o in ORGS}
ORG_BY_NAME: Final = {o.name: o for o in ORGS}

#: key, organization, role, e-mail, name, language
USERS: Final = (
    ("admin", "desk", "desk_admin", "admin@desk.example", "Yoon Seo-yeon", "en"),
    ("supervisor", "desk", "desk_supervisor", "supervisor@desk.example", "Kang Min-jae", "en"),
    ("officer", "desk", "desk_officer", "officer@desk.example", "Lim Ha-eun", "ko"),
    ("auditor", "desk", "auditor", "auditor@desk.example", "Jang Tae-woo", "en"),
    ("hanbit_admin", "hanbit", "sponsor_admin", "admin@hanbit.example", "Kim Do-hyun", "ko"),
    ("hanbit_staff", "hanbit", "sponsor_staff", "staff@hanbit.example", "Lee Ji-min", "ko"),
    ("haeon_admin", "haeon", "sponsor_admin", "admin@haeon.example", "Park Sang-woo", "ko"),
    ("haeon_staff", "haeon", "sponsor_staff", "staff@haeon.example", "Choi Yu-na", "en"),
    ("sejin_staff", "sejin", "subcontractor_staff", "staff@sejin.example", "Oh Jun-seo", "ko"),
    (
        "daeseong_staff",
        "daeseong",
        "subcontractor_staff",
        "staff@daeseong.example",
        "Shin Eun-ji",
        "ko",
    ),
    ("haedam_staff", "haedam", "subcontractor_staff", "staff@haedam.example", "Bae Hyun-woo", "ko"),
)
#: Who files for each organization (uploads, answers document requests).
FILER: Final = {
    "hanbit": "hanbit_staff",
    "haeon": "haeon_staff",
    "sejin": "sejin_staff",
    "daeseong": "daeseong_staff",
    "haedam": "haedam_staff",
}
SPONSOR_ADMIN: Final = {"hanbit": "hanbit_admin", "haeon": "haeon_admin"}


@dataclass(frozen=True)
class DemoProject:
    key: str
    sponsor: str
    name: str
    sector: str
    state: str
    worksite: str
    us_entity: str
    korean_pct: int
    e2_registered: bool
    investment_usd: int


PROJECTS: Final = (
    DemoProject(
        "hanbit_ga",
        "hanbit",
        "Hanbit GA Cell Plant",
        "batteries",
        "GA",
        "Hanbit-GA Battery Plant, Bryan County, GA",
        "Hanbit Battery Georgia LLC",
        100,
        True,
        4_300_000_000,
    ),
    DemoProject(
        "hanbit_tx",
        "hanbit",
        "Hanbit Texas Power Module Fab",
        "semiconductors",
        "TX",
        "Hanbit Power Devices Fab, Williamson County, TX",
        "Hanbit Power Devices Texas LLC",
        100,
        True,
        1_250_000_000,
    ),
    DemoProject(
        "haeon_pa",
        "haeon",
        "Haeon Philadelphia Shipyard Modernization",
        "shipbuilding",
        "PA",
        "Haeon Philadelphia Shipyard, Philadelphia, PA",
        "Haeon Shipyard Philadelphia LLC",
        100,
        False,
        1_100_000_000,
    ),
    DemoProject(
        "haeon_va",
        "haeon",
        "Haeon Virginia Offshore Wind Foundation Yard",
        "energy",
        "VA",
        "Haeon Wind Foundation Yard, Portsmouth, VA",
        "Haeon Offshore Wind Virginia LLC",
        100,
        False,
        650_000_000,
    ),
)
PROJECT_BY_SECTOR: Final = {p.sector: p for p in PROJECTS}
PROJECT_BY_NAME: Final = {p.name: p for p in PROJECTS}
#: The sample roster's share of the demo's trips (75 of 200).
SAMPLE_SHARE: Final = 75 / 200
#: Share of each project's trips (the latest) left as drafts in an open batch.
OPEN_SHARE: Final = 0.12

#: Where the submitted cases end up, in order of trip start (earliest first), with shares.
BANDS: Final = (
    ("closed", 0.10),
    ("travelled", 0.08),
    ("issued", 0.10),
    ("refused", 0.05),
    ("approved", 0.08),
    ("administrative_processing", 0.05),
    ("interview_scheduled", 0.10),
    ("ready_for_interview", 0.08),
    ("documents_requested", 0.14),
    ("in_review", 0.12),
    ("submitted", 0.10),
)
