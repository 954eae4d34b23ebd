"""Synthetic rosters with realistic distributions, for benchmarks and demos.

``synthesize(n, seed)`` builds a :mod:`polars` frame holding every roster
column of :data:`visadesk.roster.schema.COLUMNS`, in contract order, typed as
the contract says (:data:`SCHEMA`): dates ``pl.Date``, yes/no nullable
``pl.Boolean``, integers ``pl.Int64``, numbers ``pl.Float64``, activities one
``;``-joined string in contract order, the rest ``pl.String``. Every value
passes the roster validator.

Everything is drawn column by column with numpy and assembled with polars: no
Python loop runs per row, so a million rows take under two seconds and ten million
are written chunk by chunk (:func:`iter_synthesize`, :func:`write_synthetic`)
without holding them all in memory.

Determinism: the random numbers come in fixed blocks of :data:`BLOCK_ROWS`
rows, block ``b`` drawn from a generator seeded with ``(seed, b)``. Row ``i`` is
therefore the same whatever the chunk size and however many rows are asked
for: ``synthesize(n, s)`` is the first ``n`` rows of ``synthesize(m, s)`` for
``m >= n``, and the chunks of ``iter_synthesize`` concatenate to it.

The people, companies and projects are fictional: a dozen Korean investors
(no real company names) with projects in plausible US states for their sector,
their subcontractors and a few German and Japanese equipment vendors. Passport
numbers are made up (``M`` and eight digits for Korean passports) and no value
ever has the shape of a Korean resident registration number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from visadesk.atomic import atomic_path
from visadesk.roster.schema import ACTIVITY_CODES, COLUMNS, DEGREES, PAID_BY, ROLES, ColumnType

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_START",
    "FIRST_START",
    "FORMATS",
    "LAST_START",
    "SCHEMA",
    "XLSX_MAX_ROWS",
    "iter_synthesize",
    "synthesize",
    "write_synthetic",
]

Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]

#: The first day trips may start (a Monday).
DEFAULT_START: Final = dt.date(2027, 1, 4)
#: The range ``start`` may take (birth dates and visa expiries stay well inside
#: what every format holds).
FIRST_START: Final = dt.date(2000, 1, 1)
LAST_START: Final = dt.date(2999, 12, 31)
#: Rows per block of random numbers; block ``b`` is seeded with ``(seed, b)``.
BLOCK_ROWS: Final = 16_384
#: Data rows an .xlsx sheet holds below its header row.
XLSX_MAX_ROWS: Final = 1_048_575
#: The file extensions :func:`write_synthetic` writes.
FORMATS: Final = (".csv", ".parquet", ".xlsx")

_DTYPES: Final[dict[ColumnType, pl.DataType]] = {
    ColumnType.DATE: pl.Date(),
    ColumnType.BOOL: pl.Boolean(),
    ColumnType.INT: pl.Int64(),
    ColumnType.NUMBER: pl.Float64(),
}
#: The polars schema of a synthetic roster: every contract column, in order.
SCHEMA: Final = pl.Schema({c.name: _DTYPES.get(c.type, pl.String()) for c in COLUMNS})

_EPOCH: Final = dt.date(1970, 1, 1)

# --------------------------------------------------------------------------- the world

# Employer kinds: the investor's own staff, a Korean equipment or installation
# subcontractor, a Korean construction subcontractor, a foreign equipment vendor.
_SPONSOR, _EQUIPMENT, _CONSTRUCTION, _VENDOR = range(4)


@dataclass(frozen=True, slots=True)
class _Project:
    sponsor: str
    name: str
    sector: str
    state: str
    worksite: str
    us_entity: str
    korean_pct: float
    e2_registered: bool
    weight: float


# The investors and their projects (all fictional). Columns: sponsor | project |
# sector | state | worksite | US entity | % owned by Koreans | E-2 registered |
# relative weight. Investors marked ``*`` hold an approved blanket L petition.
_PROJECT_TABLE: Final = """
Hanbit Energy Solutions*|Hanbit GA Cell Plant|batteries|GA|Hanbit-GA Battery Plant, Bryan County, GA|Hanbit Battery Georgia LLC|100|yes|7
Hanbit Energy Solutions*|Hanbit TN Cathode Plant|batteries|TN|Hanbit Cathode Works, Montgomery County, TN|Hanbit Materials Tennessee LLC|100|yes|4
Hanbit Energy Solutions*|Hanbit Energy Storage Line|batteries|MI|Hanbit ESS Plant, Ottawa County, MI|Hanbit ESS Michigan Inc.|100|no|3
Saebyeol Battery Materials|Saebyeol-Ridgeline JV Cell Plant|batteries|KY|Saebyeol JV Cell Plant, Hardin County, KY|Saebyeol Ridgeline Battery LLC|50|no|5
Saebyeol Battery Materials|Saebyeol Separator Plant|batteries|OH|Saebyeol Separator Plant, Trumbull County, OH|Saebyeol Materials Ohio LLC|100|yes|3
Saebyeol Battery Materials|Saebyeol North America Office|other|MI|Saebyeol North America Office, Novi, MI|Saebyeol America Inc.|100|yes|2
Garam Semiconductor*|Garam Texas Fab|semiconductors|TX|Garam Fab T1, Bell County, TX|Garam Semiconductor Texas LLC|100|yes|7
Garam Semiconductor*|Garam Arizona Packaging Plant|semiconductors|AZ|Garam Advanced Packaging, Maricopa County, AZ|Garam Semiconductor Arizona LLC|100|yes|4
Sori Microdevices|Sori HBM Packaging Plant|semiconductors|IN|Sori Packaging Plant, Tippecanoe County, IN|Sori Microdevices Indiana LLC|100|no|4
Sori Microdevices|Sori Design Center|semiconductors|CA|Sori Design Center, San Jose, CA|Sori Microdevices America Inc.|100|yes|2
Haeon Marine Industries*|Haeon Philadelphia Shipyard Modernization|shipbuilding|PA|Haeon Philadelphia Shipyard, Philadelphia, PA|Haeon Shipyard Philadelphia LLC|100|no|6
Haeon Marine Industries*|Haeon Naval MRO Center|shipbuilding|VA|Haeon MRO Pier, Norfolk, VA|Haeon Marine Services Virginia LLC|100|yes|3
Dongmun Heavy Industries|Dongmun Gulf Shipyard|shipbuilding|AL|Dongmun Gulf Yard, Mobile, AL|Dongmun Shipbuilding Alabama LLC|85|yes|4
Dongmun Heavy Industries|Dongmun LNG Module Yard|shipbuilding|TX|Dongmun Module Yard, Brownsville, TX|Dongmun Offshore Texas LLC|100|no|2
Dasol Power Systems*|Dasol Transformer Plant|energy|AL|Dasol Transformer Works, Montgomery, AL|Dasol Power Alabama LLC|100|yes|4
Dasol Power Systems*|Dasol Grid Switchgear Plant|energy|TN|Dasol Switchgear Plant, Memphis, TN|Dasol Grid Tennessee LLC|100|no|3
Haneul Renewables|Haneul Solar Module Plant|energy|GA|Haneul Solar Plant, Whitfield County, GA|Haneul Solar Georgia LLC|100|yes|4
Haneul Renewables|Haneul Wind Tower Plant|energy|TX|Haneul Tower Works, Lubbock County, TX|Haneul Wind Texas LLC|60|no|2
Yeoul Motors*|Yeoul EV Assembly Plant|automotive|GA|Yeoul EV Plant, Effingham County, GA|Yeoul Motor Manufacturing Georgia LLC|100|yes|6
Yeoul Motors*|Yeoul Alabama Engine Plant|automotive|AL|Yeoul Engine Plant, Montgomery County, AL|Yeoul Motor Alabama LLC|100|yes|4
Onsaem Auto Parts|Onsaem Seat & Module Plant|automotive|SC|Onsaem Module Plant, Spartanburg County, SC|Onsaem Automotive South Carolina LLC|100|yes|3
Onsaem Auto Parts|Onsaem Battery Pack Plant|automotive|GA|Onsaem Pack Plant, Bartow County, GA|Onsaem Automotive Georgia LLC|75|no|2
Seorin Biologics*|Seorin Fill-Finish Plant|pharmaceuticals|NC|Seorin Bio Campus, Research Triangle Park, NC|Seorin Biologics NC Inc.|100|yes|2.5
Seorin Biologics*|Seorin CDMO Expansion|pharmaceuticals|NJ|Seorin CDMO Site, Middlesex County, NJ|Seorin Bio New Jersey LLC|100|no|1.5
Gyeore Metals|Gyeore Lithium Hydroxide Refinery|critical_minerals|TX|Gyeore Refinery, Nueces County, TX|Gyeore Lithium Texas LLC|70|yes|2.5
Gyeore Metals|Gyeore Battery Recycling Plant|critical_minerals|TN|Gyeore Recycling Plant, Clarksville, TN|Gyeore Metals Tennessee LLC|100|no|1.5
Eunha Quantum & AI|Eunha AI Data Center|ai_quantum|VA|Eunha Data Center, Loudoun County, VA|Eunha Compute Virginia LLC|100|yes|2
Eunha Quantum & AI|Eunha Quantum Lab|ai_quantum|MD|Eunha Quantum Lab, College Park, MD|Eunha Quantum America Inc.|100|no|1
"""  # noqa: E501


def _projects() -> tuple[tuple[_Project, ...], frozenset[str]]:
    projects: list[_Project] = []
    blanket: set[str] = set()
    for line in _PROJECT_TABLE.strip().splitlines():
        sponsor, name, sector, state, site, entity, pct, e2, weight = line.split("|")
        if sponsor.endswith("*"):
            sponsor = sponsor.removesuffix("*")
            blanket.add(sponsor)
        projects.append(
            _Project(
                sponsor, name, sector, state, site, entity, float(pct), e2 == "yes", float(weight)
            )
        )
    return tuple(projects), frozenset(blanket)


#: Subcontractors and vendors: name, kind, nationality of the owners.
_CONTRACTORS: Final = (
    ("Daeseong Precision Machinery", _EQUIPMENT, "KR"),
    ("Nabi Dry Room Tech", _EQUIPMENT, "KR"),
    ("Hanul Cleanroom Engineering", _EQUIPMENT, "KR"),
    ("Dure Coating Systems", _EQUIPMENT, "KR"),
    ("Chorok Environmental Systems", _EQUIPMENT, "KR"),
    ("Ieum Automation Engineering", _EQUIPMENT, "KR"),
    ("Mulgyeol Marine Equipment", _EQUIPMENT, "KR"),
    ("Byeolbit Power Electronics", _EQUIPMENT, "KR"),
    ("Sejin Plant Engineering & Construction", _CONSTRUCTION, "KR"),
    ("Seoyeon Plant Construction", _CONSTRUCTION, "KR"),
    ("Saerom Piping & Welding", _CONSTRUCTION, "KR"),
    ("Dalbit Electrical Works", _CONSTRUCTION, "KR"),
    ("Haedam Ship Outfitting", _CONSTRUCTION, "KR"),
    ("Keller Beschichtungstechnik GmbH", _VENDOR, "DE"),
    ("Auenwald Prozesstechnik GmbH", _VENDOR, "DE"),
    ("Tsukuba Dry Room Systems Co., Ltd.", _VENDOR, "JP"),
    ("Kisaragi Precision Co., Ltd.", _VENDOR, "JP"),
)

#: The subcontractors working on each sector's projects.
_CREWS: Final[dict[str, tuple[str, ...]]] = {
    "batteries": (
        "Daeseong Precision Machinery",
        "Nabi Dry Room Tech",
        "Dure Coating Systems",
        "Sejin Plant Engineering & Construction",
        "Saerom Piping & Welding",
        "Keller Beschichtungstechnik GmbH",
        "Tsukuba Dry Room Systems Co., Ltd.",
    ),
    "semiconductors": (
        "Hanul Cleanroom Engineering",
        "Chorok Environmental Systems",
        "Seoyeon Plant Construction",
        "Dalbit Electrical Works",
        "Kisaragi Precision Co., Ltd.",
    ),
    "shipbuilding": (
        "Mulgyeol Marine Equipment",
        "Ieum Automation Engineering",
        "Haedam Ship Outfitting",
        "Saerom Piping & Welding",
    ),
    "energy": (
        "Byeolbit Power Electronics",
        "Ieum Automation Engineering",
        "Dalbit Electrical Works",
        "Seoyeon Plant Construction",
        "Auenwald Prozesstechnik GmbH",
    ),
    "automotive": (
        "Ieum Automation Engineering",
        "Dure Coating Systems",
        "Sejin Plant Engineering & Construction",
        "Kisaragi Precision Co., Ltd.",
    ),
    "pharmaceuticals": (
        "Hanul Cleanroom Engineering",
        "Chorok Environmental Systems",
        "Seoyeon Plant Construction",
        "Auenwald Prozesstechnik GmbH",
    ),
    "critical_minerals": (
        "Chorok Environmental Systems",
        "Saerom Piping & Welding",
        "Sejin Plant Engineering & Construction",
    ),
    "ai_quantum": (
        "Byeolbit Power Electronics",
        "Dalbit Electrical Works",
        "Hanul Cleanroom Engineering",
    ),
    "other": (),
}

#: Share of a project's travellers by employer kind.
_KIND_SHARE: Final = {_SPONSOR: 0.45, _EQUIPMENT: 0.28, _CONSTRUCTION: 0.22, _VENDOR: 0.05}


@dataclass(frozen=True, slots=True)
class _World:
    """Every (project, employer) slot a traveller can belong to, as arrays."""

    slot_cum: Floats  # cumulative slot weights
    slot_kind: Ints
    slot_project: Ints
    slot_employer: Ints
    slot_blanket_l: Bools
    employer_names: tuple[str, ...]
    employer_nationality: Ints  # index into _NATIONALITIES
    project_names: tuple[str, ...]
    project_sponsor: tuple[str, ...]
    project_sector: tuple[str, ...]
    project_state: tuple[str, ...]
    project_worksite: tuple[str, ...]
    project_us_entity: tuple[str, ...]
    project_korean_pct: Floats
    project_e2: Bools


def _cumulative(weights: Sequence[float]) -> Floats:
    cum: Floats = np.cumsum(np.asarray(weights, dtype=np.float64))
    normalized: Floats = cum / cum[-1]
    return normalized


def _build_world() -> _World:
    projects, blanket = _projects()
    sponsors = list(dict.fromkeys(p.sponsor for p in projects))
    employers = [(name, _SPONSOR, "KR") for name in sponsors] + list(_CONTRACTORS)
    index = {name: i for i, (name, _, _) in enumerate(employers)}
    slots: list[tuple[float, int, int, int, bool]] = []
    for number, project in enumerate(projects):
        crew = [project.sponsor, *_CREWS[project.sector]]
        kinds = [employers[index[name]][1] for name in crew]
        total = sum(_KIND_SHARE[k] for k in set(kinds))
        for name, kind in zip(crew, kinds, strict=True):
            share = project.weight * _KIND_SHARE[kind] / total / kinds.count(kind)
            has_blanket = kind == _SPONSOR and project.sponsor in blanket
            slots.append((share, kind, number, index[name], has_blanket))
    weight_of, kind_of, project_of, employer_of, blanket_of = zip(*slots, strict=True)
    return _World(
        slot_cum=_cumulative(weight_of),
        slot_kind=np.asarray(kind_of, dtype=np.int64),
        slot_project=np.asarray(project_of, dtype=np.int64),
        slot_employer=np.asarray(employer_of, dtype=np.int64),
        slot_blanket_l=np.asarray(blanket_of, dtype=np.bool_),
        employer_names=tuple(name for name, _, _ in employers),
        employer_nationality=np.asarray(
            [_NATIONALITIES.index(nat) for _, _, nat in employers], dtype=np.int64
        ),
        project_names=tuple(p.name for p in projects),
        project_sponsor=tuple(p.sponsor for p in projects),
        project_sector=tuple(p.sector for p in projects),
        project_state=tuple(p.state for p in projects),
        project_worksite=tuple(p.worksite for p in projects),
        project_us_entity=tuple(p.us_entity for p in projects),
        project_korean_pct=np.asarray([p.korean_pct for p in projects], dtype=np.float64),
        project_e2=np.asarray([p.e2_registered for p in projects], dtype=np.bool_),
    )


# --------------------------------------------------------------------------- people

_NATIONALITIES: Final = ("KR", "VN", "PH", "IN", "ID", "UZ", "TH", "DE", "JP")
_KR = 0
#: Passport number shapes (all made up): a prefix and that many digits.
_PASSPORT_PREFIXES: Final = ("M", "C", "P", "Z", "C", "FA", "AA", "C", "TK")
_PASSPORT_DIGITS: Final = np.asarray([8, 7, 7, 7, 7, 7, 7, 8, 7], dtype=np.int64)
#: Nationality of the traveller by employer kind (vendors: see _nationality).
_NATIONALITY_P: Final = np.asarray(
    [
        # KR    VN     PH     IN     ID     UZ     TH    DE   JP
        [0.930, 0.015, 0.010, 0.025, 0.010, 0.005, 0.005, 0, 0],  # sponsor staff
        [0.880, 0.035, 0.020, 0.015, 0.025, 0.010, 0.015, 0, 0],  # equipment subcontractor
        [0.700, 0.100, 0.060, 0.010, 0.030, 0.060, 0.040, 0, 0],  # construction subcontractor
        [1.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0, 0],  # vendor (home nationality aside)
    ]
)
_VENDOR_HOME_SHARE: Final = 0.9

# Korean family names (romanised as in passports, Hangul, relative frequency).
_KOREAN_FAMILIES: Final = """
KIM 김 21.5, LEE 이 14.7, PARK 박 8.4, CHOI 최 4.7, JUNG 정 4.4, KANG 강 2.3, CHO 조 2.1,
YOON 윤 2.0, JANG 장 2.0, LIM 임 1.7, HAN 한 1.5, OH 오 1.5, SEO 서 1.5, SHIN 신 1.4,
KWON 권 1.3, HWANG 황 1.3, AHN 안 1.3, SONG 송 1.3, JEON 전 1.1, HONG 홍 1.1, YOO 유 1.0,
KO 고 0.9, MOON 문 0.9, YANG 양 0.9, SON 손 0.9, BAE 배 0.8, BAEK 백 0.7, HEO 허 0.6,
NAM 남 0.5, NOH 노 0.5, CHA 차 0.4, WOO 우 0.4, MIN 민 0.3, RYU 류 0.3, KWAK 곽 0.4
"""
_KOREAN_GIVEN: Final = """
JAEHYUN 재현, SUJIN 수진, JUNHO 준호, EUNJI 은지, TAEYOUNG 태영, MINSEO 민서, JIHOON 지훈,
JIWON 지원, SEUNGWOO 승우, DONGHYUN 동현, WOOJIN 우진, SOYEON 소연, SEOKJIN 석진,
JUNYOUNG 준영, SANGHOON 상훈, JAEWOOK 재욱, HANA 하나, JIHO 지호, SEONGHO 성호, DAEHO 대호,
KYUNGMIN 경민, JUNGWOO 정우, EUNBI 은비, SEUNGMIN 승민, YERIN 예린, JOONHYUK 준혁, MIRAE 미래,
SUNGHOON 성훈, JIYOUNG 지영, DOHYUN 도현, KANGHO 강호, SOJIN 소진, YONGSU 용수, SANGMIN 상민,
DONGWOOK 동욱, MINSEOK 민석, HYUNWOO 현우, JAEWON 재원, SEUNGHO 승호, KIHOON 기훈, MIJIN 미진,
BYUNGCHUL 병철, GEUNHO 근호, JONGHYUN 종현, CHULMIN 철민, HYUNJUN 현준, YOUNGHO 영호,
JINSU 진수, SEUNGJAE 승재, JUNGSIK 정식, JAESUNG 재성, DONGHYUK 동혁, KYUNGHWAN 경환,
MANSIK 만식, SANGWOO 상우, BYUNGJIN 병진, SORA 소라, MYUNGSOO 명수, SUNGJIN 성진,
YOUNGSIK 영식, SEOYOUNG 서영, WOOSUNG 우성, GWANGSOO 광수, DONGGUK 동국, MINJI 민지,
YUNA 유나, HYEJIN 혜진, JISOO 지수, TAEHO 태호, JINWOO 진우
"""
# Other nationalities: family names | given names, comma separated.
_OTHER_NAMES: Final = {
    "VN": "NGUYEN, TRAN, LE, PHAM, HOANG, PHAN, VU, DANG, BUI, DO"
    "|VAN HUNG, MINH DUC, THI LAN, VAN NAM, QUOC BAO, THANH TUNG, THI HOA, DUC ANH, VAN LONG",
    "PH": "DELA CRUZ, REYES, SANTOS, GARCIA, MENDOZA, BAUTISTA, VILLANUEVA, RAMOS, AQUINO"
    "|JOMAR, MARK ANTHONY, JOHN PAUL, JERICHO, RODEL, MARIA CLARISSA, ARNEL, JAYSON, ALDRIN",
    "IN": "NAIR, SHARMA, PATEL, IYER, REDDY, KUMAR, SINGH, MENON, RAO, GUPTA"
    "|ARJUN, RAHUL, PRIYA, VIKRAM, ANIL, DEEPAK, SNEHA, KARTHIK, RAJESH, ANANYA",
    "ID": "SETIAWAN, SANTOSO, WIJAYA, HIDAYAT, SAPUTRA, KURNIAWAN, PRATAMA, HALIM, SUSANTO"
    "|ADI NUGROHO, BUDI, AGUS, RIZKY, DEWI, EKO PRASETYO, HENDRA, ANDI, SITI, YUDHA",
    "UZ": "KARIMOV, YUSUPOV, RAHIMOV, TURSUNOV, ALIEV, NAZAROV, SAIDOV, ERGASHEV, MIRZAEV"
    "|BEKZOD, SHERZOD, JASUR, OTABEK, AZIZ, DILSHOD, SARDOR, RUSTAM, ULUGBEK, JAVLON",
    "TH": "SRISUK, WONGSAWAT, CHAIYAPORN, BOONMA, SAETANG, PHROMMA, KAEWKLA, THONGDEE"
    "|SOMCHAI, KITTISAK, ANAN, PRASERT, NATTAPONG, WIRAT, SUPAWADEE, THANAWAT, PORNTHIP",
    "DE": "WAGNER, HOFFMANN, MUELLER, SCHMIDT, BECKER, FISCHER, WEBER, KRAUSE, RICHTER"
    "|LUKAS, ANNA, JONAS, FELIX, JULIA, TOBIAS, KATHARINA, STEFAN, MARKUS, LENA",
    "JP": "NAKAMURA, SATO, SUZUKI, TAKAHASHI, TANAKA, WATANABE, ITO, YAMAMOTO, KOBAYASHI"
    "|TAKUYA, HIROSHI, KENJI, YUKI, DAISUKE, SHOTA, NAOKI, AYAKA, RYO, KAZUYA",
}


@dataclass(frozen=True, slots=True)
class _NamePool:
    """Names of every nationality in one array; nationality k owns ``[start[k], end[k])``."""

    latin: tuple[str, ...]
    hangul: tuple[str | None, ...]
    cum: tuple[Floats, ...]  # per nationality, cumulative weights of its names
    start: Ints


def _pool(entries: Sequence[Sequence[tuple[str, str | None, float]]]) -> _NamePool:
    latin: list[str] = []
    hangul: list[str | None] = []
    cum: list[Floats] = []
    start: list[int] = []
    for names in entries:
        start.append(len(latin))
        latin += [name for name, _, _ in names]
        hangul += [ko for _, ko, _ in names]
        cum.append(_cumulative([w for _, _, w in names]))
    return _NamePool(tuple(latin), tuple(hangul), tuple(cum), np.asarray(start, dtype=np.int64))


def _name_pools() -> tuple[_NamePool, _NamePool]:
    families: list[list[tuple[str, str | None, float]]] = []
    given: list[list[tuple[str, str | None, float]]] = []
    for nat in _NATIONALITIES:
        if nat == "KR":
            fam = [e.split() for e in _KOREAN_FAMILIES.split(",")]
            families.append([(f[0], f[1], float(f[2])) for f in fam])
            giv = [e.split() for e in _KOREAN_GIVEN.split(",")]
            given.append([(g[0], g[1], 1.0) for g in giv])
        else:
            fam_text, given_text = _OTHER_NAMES[nat].split("|")
            families.append([(f.strip(), None, 1.0) for f in fam_text.split(",")])
            given.append([(g.strip(), None, 1.0) for g in given_text.split(",")])
    return _pool(families), _pool(given)


# --------------------------------------------------------------------------- work

# Activity groups: who does what on a trip.
_EXEC, _MANAGER, _SPECIALIST, _TECH_INSTALL, _TECH_BUILD, _LABOR_BUILD, _LABOR_PROD = range(7)
#: Activity group by [employer kind, role] (roles in ROLES order).
_GROUP: Final = np.asarray(
    [
        [_EXEC, _MANAGER, _SPECIALIST, _TECH_INSTALL, _LABOR_PROD],  # sponsor staff
        [_EXEC, _MANAGER, _SPECIALIST, _TECH_INSTALL, _LABOR_PROD],  # equipment subcontractor
        [_EXEC, _MANAGER, _SPECIALIST, _TECH_BUILD, _LABOR_BUILD],  # construction subcontractor
        [_EXEC, _MANAGER, _SPECIALIST, _TECH_INSTALL, _LABOR_PROD],  # foreign vendor
    ],
    dtype=np.int64,
)
#: Role by employer kind: executive, manager, specialist, technician, laborer.
_ROLE_P: Final = np.asarray(
    [
        [0.06, 0.20, 0.34, 0.30, 0.10],
        [0.03, 0.12, 0.35, 0.45, 0.05],
        [0.02, 0.12, 0.08, 0.36, 0.42],
        [0.02, 0.08, 0.55, 0.35, 0.00],
    ]
)
#: The activity sets of each group, with weights.
_PROFILES: Final[tuple[tuple[tuple[str, float], ...], ...]] = (
    (  # executives
        ("meetings negotiation", 30),
        ("meetings", 15),
        ("meetings manage_us_entity", 15),
        ("manage_us_entity", 8),
        ("conference meetings", 12),
        ("meetings negotiation site_survey", 12),
        ("meetings site_survey", 8),
    ),
    (  # managers
        ("meetings site_survey", 18),
        ("meetings", 10),
        ("meetings negotiation", 10),
        ("manage_us_entity", 8),
        ("meetings manage_us_entity", 8),
        ("site_survey supervise_construction", 12),
        ("supervise_construction", 8),
        ("meetings site_survey supervise_construction", 8),
        ("conference", 4),
        ("site_survey", 6),
        ("meetings install_equipment", 4),
        ("meetings professional_work", 2),
    ),
    (  # specialists
        ("install_equipment train_us_workers", 18),
        ("install_equipment", 10),
        ("service_equipment train_us_workers", 10),
        ("train_us_workers", 10),
        ("install_equipment service_equipment train_us_workers", 8),
        ("service_equipment", 6),
        ("meetings site_survey", 8),
        ("meetings conference", 5),
        ("professional_work", 6),
        ("meetings professional_work", 4),
        ("site_survey supervise_construction", 5),
        ("train_us_workers production_work", 5),
        ("meetings", 5),
    ),
    (  # technicians of investors and equipment suppliers
        ("install_equipment", 25),
        ("install_equipment service_equipment", 18),
        ("install_equipment train_us_workers", 15),
        ("service_equipment", 10),
        ("service_equipment train_us_workers", 8),
        ("install_equipment service_equipment train_us_workers", 8),
        ("production_work", 6),
        ("train_us_workers production_work", 4),
        ("install_equipment supervise_construction", 3),
        ("meetings site_survey", 3),
    ),
    (  # technicians of construction subcontractors
        ("construction_work", 40),
        ("supervise_construction construction_work", 20),
        ("install_equipment", 12),
        ("install_equipment construction_work", 10),
        ("supervise_construction", 10),
        ("service_equipment", 4),
        ("site_survey supervise_construction", 4),
    ),
    (  # laborers of construction subcontractors
        ("construction_work", 85),
        ("construction_work production_work", 5),
        ("install_equipment construction_work", 10),
    ),
    (  # other laborers
        ("production_work", 70),
        ("construction_work", 15),
        ("service_equipment production_work", 15),
    ),
)
#: Trip length by group: short (2-13 days), 1-12 weeks, long (3-18 months).
_DURATION_P: Final = np.asarray(
    [
        [0.75, 0.20, 0.05],
        [0.35, 0.45, 0.20],
        [0.15, 0.65, 0.20],
        [0.08, 0.72, 0.20],
        [0.05, 0.65, 0.30],
        [0.03, 0.62, 0.35],
        [0.03, 0.62, 0.35],
    ]
)
_LONG_TRIP_DAYS: Final = 180
#: Salary source by [short trip, long trip]: home_employer, us_entity, mixed.
_PAID_BY_P: Final = np.asarray([[0.86, 0.07, 0.07], [0.60, 0.22, 0.18]])
#: Degree by role: none, associate, bachelor, master, doctorate.
_DEGREE_P: Final = np.asarray(
    [
        [0.00, 0.00, 0.35, 0.50, 0.15],
        [0.00, 0.03, 0.64, 0.30, 0.03],
        [0.02, 0.10, 0.55, 0.27, 0.06],
        [0.30, 0.48, 0.20, 0.02, 0.00],
        [0.78, 0.17, 0.05, 0.00, 0.00],
    ]
)
#: Age range by role, in years.
_AGE: Final = np.asarray([[48, 63], [36, 57], [27, 52], [23, 58], [21, 50]], dtype=np.float64)
#: Chance of "yes" by activity group.
_SPECIALIZED_P: Final = np.asarray([0.30, 0.35, 0.85, 0.75, 0.25, 0.03, 0.08])
_ESSENTIAL_P: Final = np.asarray([0.60, 0.55, 0.70, 0.60, 0.30, 0.10, 0.10])
_TEMPORARY_P: Final = np.asarray([0.20, 0.35, 0.35, 0.40, 0.75, 0.80, 0.45])
#: Chance of "yes" by employer kind.
_FOREIGN_EQUIPMENT_P: Final = np.asarray([0.85, 0.92, 0.35, 0.97])
_SERVICE_CLAUSE_P: Final = np.asarray([0.20, 0.80, 0.10, 0.90])
#: Visas held, by [short trip, long trip].
_VISAS: Final = ("B1/B2", "B1", "E2", "L1")
_VISA_P: Final = np.asarray([[0.85, 0.05, 0.06, 0.04], [0.35, 0.00, 0.40, 0.25]])
_HOLDS_VISA: Final = 0.25

#: Share of blank cells ("not known") by column.
_BLANK: Final = {
    "birth_date": 0.01,
    "passport_number": 0.02,
    "degree": 0.06,
    "specialized_knowledge": 0.12,
    "essential_skills": 0.15,
    "equipment_from_abroad": 0.10,
    "contract_requires_service": 0.12,
    "us_entity_treaty_ownership_pct": 0.04,
    "us_entity_e2_registered": 0.06,
    "us_entity_affiliated": 0.05,
    "blanket_l": 0.08,
    "months_with_employer_last_3y": 0.04,
    "prior_visa_refusal": 0.07,
    "prior_esta_denial": 0.08,
    "prior_overstay": 0.07,
    "visited_restricted_country": 0.08,
    "temporary_need": 0.15,
    "days_in_us_last_365": 0.04,
}


# --------------------------------------------------------------------------- drawing


class _Draws:
    """Uniform numbers for rows ``[first, first + n)``, drawn in seeded blocks.

    Each call to :meth:`uniform` takes the next :data:`BLOCK_ROWS` numbers of
    every block's own generator (seeded with ``(seed, block)``), so row ``i``
    gets the same numbers whatever ``first`` and ``n`` are.
    """

    def __init__(self, seed: int, first: int, n: int) -> None:
        first_block = first // BLOCK_ROWS
        last_block = (first + n - 1) // BLOCK_ROWS
        self._generators = [
            np.random.default_rng([seed, block]) for block in range(first_block, last_block + 1)
        ]
        self._skip = first - first_block * BLOCK_ROWS
        self._n = n

    def uniform(self) -> Floats:
        parts = [g.random(BLOCK_ROWS) for g in self._generators]
        whole = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return whole[self._skip : self._skip + self._n]


def _pick(u: Floats, cum: Floats) -> Ints:
    """Categorical draw: the index whose cumulative weight first exceeds ``u``."""
    picked = np.searchsorted(cum, u, side="right").astype(np.int64)
    return np.minimum(picked, len(cum) - 1)


def _pick_by(u: Floats, group: Ints, probabilities: Floats) -> Ints:
    """Categorical draw with the probabilities of each row's ``group`` (a table row)."""
    out = np.zeros(len(u), dtype=np.int64)
    for g, row in enumerate(probabilities):
        mask = group == g
        if row.sum() > 0 and mask.any():
            out[mask] = _pick(u[mask], _cumulative(row))
    return out


_ALMOST_ONE: Final = float(np.nextafter(1.0, 0.0))


def _split(u: Floats, blank: float) -> tuple[Bools, Floats]:
    """Cells left blank (``u < blank``) and a fresh uniform for the others."""
    return u < blank, np.clip((u - blank) / (1.0 - blank), 0.0, _ALMOST_ONE)


def _lookup(values: Sequence[str | None], index: Ints, name: str) -> pl.Series:
    return pl.Series(name, values, dtype=pl.String).gather(index)


def _masked(series: pl.Series, blank: Bools) -> pl.Series:
    return series.set(pl.Series(blank), None) if blank.any() else series


def _dates(name: str, days: Ints) -> pl.Series:
    return pl.Series(name, days.astype(np.int32)).cast(pl.Date)


def _profile_text(text: str) -> str:
    """Activity codes as a roster cell: joined with ``;`` in contract order."""
    codes = text.split()
    unknown = set(codes) - set(ACTIVITY_CODES)
    if unknown or not 1 <= len(codes) <= 3:
        raise ValueError(f"bad activity profile {text!r}")
    return ";".join(code for code in ACTIVITY_CODES if code in codes)


_WORLD: Final = _build_world()
_FAMILIES, _GIVEN = _name_pools()
_PROFILE_TEXT: Final = tuple(_profile_text(text) for group in _PROFILES for text, _ in group)
_PROFILE_START: Final = np.cumsum([0] + [len(group) for group in _PROFILES[:-1]])
_PROFILE_CUM: Final = tuple(_cumulative([w for _, w in group]) for group in _PROFILES)


def _pick_pooled(u: Floats, owner: Ints, cums: Sequence[Floats], start: Ints) -> Ints:
    """A draw from the owner's own slice of a pooled table."""
    out = np.zeros(len(u), dtype=np.int64)
    for k, cum in enumerate(cums):
        mask = owner == k
        if mask.any():
            out[mask] = start[k] + _pick(u[mask], cum)
    return out


def _fact(d: _Draws, name: str, p_yes: Floats | float) -> pl.Series:
    """A yes/no fact that is "yes" with chance ``p_yes`` (per row or for all), or blank."""
    blank, u = _split(d.uniform(), _BLANK[name])
    return _masked(pl.Series(name, u < p_yes), blank)


def _concat(*parts: pl.Series) -> pl.Series:
    """Texts joined row by row; blank where any part is blank."""
    return pl.select(pl.concat_str(list(parts))).to_series()


@dataclass(frozen=True, slots=True)
class _Trips:
    """Who travels where and when: one array element per row."""

    slot: Ints
    kind: Ints
    project: Ints
    employer: Ints
    role: Ints
    group: Ints
    nationality: Ints
    home: Ints  # nationality of the employer's owners
    start: Ints  # days since 1970-01-01
    end: Ints
    long: Ints  # 1 for trips over _LONG_TRIP_DAYS


def _trips(d: _Draws, start: dt.date) -> _Trips:
    w = _WORLD
    slot = _pick(d.uniform(), w.slot_cum)
    kind, project, employer = w.slot_kind[slot], w.slot_project[slot], w.slot_employer[slot]
    role = _pick_by(d.uniform(), kind, _ROLE_P)
    group = _GROUP[kind, role]
    # executives and most vendor staff share their employer's nationality
    u = d.uniform()
    home = w.employer_nationality[employer]
    nat = _pick_by(u, kind, _NATIONALITY_P)
    nat = np.where((kind == _VENDOR) & (u < _VENDOR_HOME_SHARE), home, nat)
    nat = np.where(role == ROLES.index("executive"), home, nat)
    # a start in the first 26 weeks, mostly on a Monday, and a length by activity group
    week = np.floor(d.uniform() * 26).astype(np.int64)
    u = d.uniform()
    weekday = np.minimum(np.where(u < 0.8, 0, np.floor((u - 0.8) / 0.2 * 5)), 4).astype(np.int64)
    first_day = (start - _EPOCH).days + 7 * week + weekday
    length_kind = _pick_by(d.uniform(), group, _DURATION_P)
    u = d.uniform()
    length = np.select(
        [length_kind == 0, length_kind == 1],
        [2 + np.floor(u * 12), 7 * (1 + np.floor(u * 12)) - 2],
        91 + np.floor(u * u * 458),
    ).astype(np.int64)
    return _Trips(
        slot=slot,
        kind=kind,
        project=project,
        employer=employer,
        role=role,
        group=group,
        nationality=nat,
        home=home,
        start=first_day,
        end=first_day + length - 1,
        long=(length > _LONG_TRIP_DAYS).astype(np.int64),
    )


def _people(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    nat, role = trips.nationality, trips.role
    family = _pick_pooled(d.uniform(), nat, _FAMILIES.cum, _FAMILIES.start)
    given = _pick_pooled(d.uniform(), nat, _GIVEN.cum, _GIVEN.start)
    blank_birth, u = _split(d.uniform(), _BLANK["birth_date"])
    low, high = _AGE[role, 0], _AGE[role, 1]
    birth = trips.start - np.floor((low + u * (high - low)) * 365.25).astype(np.int64)
    blank_passport, u = _split(d.uniform(), _BLANK["passport_number"])
    scale = (10 ** _PASSPORT_DIGITS[nat]).astype(np.float64)
    number = (scale + np.floor(u * scale)).astype(np.int64)  # a leading 1 keeps the zeros
    passport = _concat(
        _lookup(_PASSPORT_PREFIXES, nat, "prefix"),
        pl.Series(number).cast(pl.String).str.slice(1),
    )
    return {
        "family_name": _lookup(_FAMILIES.latin, family, "family_name"),
        "given_name": _lookup(_GIVEN.latin, given, "given_name"),
        "name_ko": _concat(
            _lookup(_FAMILIES.hangul, family, "f"), _lookup(_GIVEN.hangul, given, "g")
        ),
        "birth_date": _masked(_dates("birth_date", birth), blank_birth),
        "passport_number": _masked(passport, blank_passport),
        "nationality": _lookup(_NATIONALITIES, nat, "nationality"),
    }


def _places(trips: _Trips) -> dict[str, pl.Series]:
    w, project = _WORLD, trips.project
    return {
        "employer": _lookup(w.employer_names, trips.employer, "employer"),
        "employer_nationality": _lookup(_NATIONALITIES, trips.home, "employer_nationality"),
        "sponsor": _lookup(w.project_sponsor, project, "sponsor"),
        "project": _lookup(w.project_names, project, "project"),
        "site_state": _lookup(w.project_state, project, "site_state"),
        "worksite": _lookup(w.project_worksite, project, "worksite"),
        "sector": _lookup(w.project_sector, project, "sector"),
        "trip_start": _dates("trip_start", trips.start),
        "trip_end": _dates("trip_end", trips.end),
        "role": _lookup(ROLES, trips.role, "role"),
        "us_entity": _lookup(w.project_us_entity, project, "us_entity"),
    }


def _work(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    zeros = np.zeros(len(_PROFILES), dtype=np.int64)
    activities = _PROFILE_START[trips.group] + _pick_pooled(
        d.uniform(), trips.group, _PROFILE_CUM, zeros
    )
    paid_by = _pick_by(d.uniform(), trips.long, _PAID_BY_P)
    blank_degree, u = _split(d.uniform(), _BLANK["degree"])
    degree = _pick_by(u, trips.role, _DEGREE_P)
    blank_pct, _ = _split(d.uniform(), _BLANK["us_entity_treaty_ownership_pct"])
    korean_pct = _WORLD.project_korean_pct[trips.project]
    pct = np.where(trips.nationality == _KR, korean_pct, 0.0)
    blank_months, u = _split(d.uniform(), _BLANK["months_with_employer_last_3y"])
    months = np.where(u < 0.62, 36, 1 + np.floor((u - 0.62) / 0.38 * 35)).astype(np.int64)
    return {
        "activities": _lookup(_PROFILE_TEXT, activities, "activities"),
        "paid_by": _lookup(PAID_BY, paid_by, "paid_by"),
        "degree": _masked(_lookup(DEGREES, degree, "degree"), blank_degree),
        "us_entity_treaty_ownership_pct": _masked(pl.Series(pct), blank_pct),
        "months_with_employer_last_3y": _masked(pl.Series(months), blank_months),
    }


def _history(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    """Visas held (with expiries around the trip) and days already spent in the US."""
    u = d.uniform()
    holds = u < _HOLDS_VISA
    visa = _pick_by(np.minimum(u / _HOLDS_VISA, _ALMOST_ONE), trips.long, _VISA_P)
    resident = holds & (visa >= _VISAS.index("E2"))
    expiry = trips.start - 90 + np.floor(d.uniform() * (4 * 365 + 90)).astype(np.int64)
    blank_days, u = _split(d.uniform(), _BLANK["days_in_us_last_365"])
    zero = u < np.where(resident, 0.2, 0.72)
    v = np.clip((u - 0.72) / 0.28, 0.0, _ALMOST_ONE)
    tail = np.where(
        resident,
        120 + np.floor(np.clip(u / 0.2 - 1, 0, _ALMOST_ONE) * 230),
        1 + np.floor(-np.log1p(-v) * 25),
    )
    days_in_us = np.where(zero, 0, np.minimum(tail, 365)).astype(np.int64)
    return {
        "holds_visa": _masked(_lookup(_VISAS, visa, "holds_visa"), ~holds),
        "visa_expiry": _masked(_dates("visa_expiry", expiry), ~holds),
        "days_in_us_last_365": _masked(pl.Series(days_in_us), blank_days),
    }


def _facts(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    """The yes/no facts, each blank now and then."""
    group, kind = trips.group, trips.kind
    chances: dict[str, Floats | float] = {
        "specialized_knowledge": _SPECIALIZED_P[group],
        "essential_skills": _ESSENTIAL_P[group],
        "equipment_from_abroad": _FOREIGN_EQUIPMENT_P[kind],
        "contract_requires_service": _SERVICE_CLAUSE_P[kind],
    }
    facts = {name: _fact(d, name, chance) for name, chance in chances.items()}
    known: dict[str, Bools] = {
        "us_entity_e2_registered": _WORLD.project_e2[trips.project],
        "us_entity_affiliated": kind == _SPONSOR,
        "blanket_l": _WORLD.slot_blanket_l[trips.slot],
    }
    for name, value in known.items():
        blank, _ = _split(d.uniform(), _BLANK[name])
        facts[name] = _masked(pl.Series(name, value), blank)
    chances = {
        "prior_visa_refusal": np.where(trips.nationality == _KR, 0.02, 0.05),
        "prior_esta_denial": 0.01,
        "prior_overstay": 0.008,
        "visited_restricted_country": 0.01,
        "temporary_need": _TEMPORARY_P[group],
    }
    facts.update((name, _fact(d, name, chance)) for name, chance in chances.items())
    return facts


def _frame(seed: int, first: int, n: int, start: dt.date) -> pl.DataFrame:
    """Rows ``[first, first + n)`` of the synthetic roster of ``seed``."""
    d = _Draws(seed, first, n)
    trips = _trips(d, start)
    ids = pl.Series(np.arange(first + 1, first + n + 1, dtype=np.int64)).cast(pl.String)
    columns = {
        "worker_id": _concat(pl.Series(["SYN-"]), ids.str.zfill(7)),
        **_people(d, trips),
        **_places(trips),
        **_work(d, trips),
        **_history(d, trips),
        **_facts(d, trips),
    }
    frame = pl.DataFrame([columns[name].alias(name) for name in SCHEMA.names()])
    if frame.schema != SCHEMA:  # pragma: no cover - a programming error
        raise AssertionError(f"synthetic frame has schema {frame.schema}")
    return frame


def _check(n: int, seed: int, start: dt.date) -> None:
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    if not FIRST_START <= start <= LAST_START:
        raise ValueError(f"start must be from {FIRST_START} to {LAST_START}, not {start}")


def synthesize(n: int, seed: int, start: dt.date = DEFAULT_START) -> pl.DataFrame:
    """``n`` synthetic roster rows for ``seed``, trips starting on ``start`` or later.

    The frame has every contract column in order with the types of
    :data:`SCHEMA`; the same ``n``, ``seed`` and ``start`` give the same frame.
    """
    _check(n, seed, start)
    if n == 0:
        return SCHEMA.to_frame()
    return _frame(seed, 0, n, start)


def iter_synthesize(
    n: int, seed: int, chunk_rows: int = 1_000_000, start: dt.date = DEFAULT_START
) -> Iterator[pl.DataFrame]:
    """The rows of ``synthesize(n, seed, start)`` as frames of at most ``chunk_rows`` rows.

    Only one chunk is in memory at a time; the chunks concatenate to exactly
    ``synthesize(n, seed, start)`` whatever ``chunk_rows`` is.
    """
    _check(n, seed, start)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be 1 or more, not {chunk_rows}")
    for first in range(0, n, chunk_rows):
        yield _frame(seed, first, min(chunk_rows, n - first), start)


# --------------------------------------------------------------------------- writing


def _yes_no(frame: pl.DataFrame) -> pl.DataFrame:
    """Yes/no columns as the texts ``yes`` and ``no`` (blank stays blank)."""
    return frame.with_columns(
        pl.when(pl.col(name))
        .then(pl.lit("yes"))
        .when(pl.col(name).not_())
        .then(pl.lit("no"))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.Boolean
    )


def _write_csv(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    with path.open("wb") as fh:
        for number, chunk in enumerate(chunks):
            first = number == 0
            _yes_no(chunk).write_csv(fh, include_bom=first, include_header=first)


def _write_parquet(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    # polars streams the chunks into one file, one at a time.
    from polars.io.plugins import register_io_source  # noqa: PLC0415

    schema = pl.Schema({**SCHEMA, "activities": pl.List(pl.String())})

    def source(
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        left = n_rows
        for chunk in chunks:
            frame = chunk.with_columns(pl.col("activities").str.split(";"))
            if with_columns is not None:
                frame = frame.select(with_columns)
            if predicate is not None:
                frame = frame.filter(predicate)
            if left is not None:
                frame = frame.head(left)
                left -= frame.height
            yield frame
            if left is not None and left <= 0:
                return

    register_io_source(source, schema=schema).sink_parquet(path)


def _write_xlsx(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    # openpyxl loads on demand; its write-only mode streams rows to disk.
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet("roster")
    sheet.freeze_panes = "A2"
    sheet.append(SCHEMA.names())
    for chunk in chunks:
        for row in _yes_no(chunk).iter_rows():
            sheet.append(row)  # dates become date cells (yyyy-mm-dd), numbers number cells
    book.save(path)


_WRITERS: Final = {".csv": _write_csv, ".parquet": _write_parquet, ".xlsx": _write_xlsx}


def write_synthetic(
    path: Path,
    n: int,
    seed: int,
    *,
    chunk_rows: int = 1_000_000,
    start: dt.date = DEFAULT_START,
) -> Path:
    """Write ``synthesize(n, seed, start)`` to ``path``, whole or not at all.

    The extension picks the format (:data:`FORMATS`): ``.csv`` is UTF-8 with
    BOM, ISO dates, ``yes``/``no``, ``;`` between activities; ``.parquet`` has
    typed columns (activities a list of codes); ``.xlsx`` at most
    :data:`XLSX_MAX_ROWS` rows. Rows are generated and written
    ``chunk_rows`` at a time into a temporary file beside ``path`` that
    replaces it at the end. Raises ``ValueError`` for another extension, too
    many rows for .xlsx, or a negative count or seed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITERS:
        raise ValueError(f"{path}: can write {', '.join(FORMATS)}, not {suffix or path.name!r}")
    if suffix == ".xlsx" and n > XLSX_MAX_ROWS:
        raise ValueError(f"{path}: an .xlsx sheet holds at most {XLSX_MAX_ROWS} rows, not {n}")
    chunks = iter_synthesize(n, seed, chunk_rows, start)
    if n == 0:
        chunks = iter([SCHEMA.to_frame()])
    with atomic_path(path) as tmp:
        _WRITERS[suffix](chunks, tmp)
    return path
