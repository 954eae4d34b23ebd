"""The synthetic world behind ``visadesk synth``: companies, projects, people and rates.

Fictional Korean investors with projects by sector and US state, their
subcontractors and equipment vendors; nationalities, names, roles, activity
profiles, durations, pay, degrees, held visas and how often each fact is left
blank. Data and the small helpers that turn it into arrays; the drawing lives in
:mod:`visadesk.synth`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt

Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]

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
