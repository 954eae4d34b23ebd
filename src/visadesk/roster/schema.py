"""The roster contract: columns, their types, allowed values and header aliases.

This module is the single place that says what a roster row may hold. It mirrors
the public contract in ``docs/roster.md``; change both together and only
compatibly (new optional columns, new aliases).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal, get_args

__all__ = [
    "ACTIVITY_CODES",
    "COLUMNS",
    "COLUMN_BY_NAME",
    "DEGREES",
    "H1B_PETITION_KINDS",
    "PAID_BY",
    "ROLES",
    "SECTORS",
    "Column",
    "ColumnType",
    "FactValue",
    "Facts",
    "Sector",
]

#: A fact as the engine sees it. ``None`` means "not known" (a blank cell).
FactValue = str | bool | int | float | dt.date | tuple[str, ...] | None
Facts = dict[str, FactValue]


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"
    BOOL = "yes/no"
    INT = "integer"
    NUMBER = "number"
    COUNTRY = "country"
    ENUM = "enum"
    ACTIVITIES = "activities"
    #: ISO 3166-1 alpha-2 codes separated by ``;`` (the fact is their sorted, joined text).
    COUNTRIES = "countries"


ACTIVITY_CODES: Final = (
    "meetings",
    "negotiation",
    "conference",
    "site_survey",
    "install_equipment",
    "service_equipment",
    "train_us_workers",
    "supervise_construction",
    "construction_work",
    "production_work",
    "manage_us_entity",
    "professional_work",
)
#: A project's sector: the roster's column, the desk's projects and the API's bodies.
Sector = Literal[
    "shipbuilding",
    "energy",
    "batteries",
    "semiconductors",
    "pharmaceuticals",
    "critical_minerals",
    "ai_quantum",
    "automotive",
    "other",
]
SECTORS: Final[tuple[Sector, ...]] = get_args(Sector)
ROLES: Final = ("executive", "manager", "specialist", "technician", "laborer")
PAID_BY: Final = ("home_employer", "us_entity", "mixed")
DEGREES: Final = ("none", "associate", "bachelor", "master", "doctorate")
H1B_PETITION_KINDS: Final = ("new", "extension", "amendment", "change_of_status")


@dataclass(frozen=True, slots=True)
class Column:
    """One roster column of the public contract."""

    name: str
    type: ColumnType
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())
    sensitive: bool = False
    minimum: float | None = None
    maximum: float | None = None


def _c(name: str, type_: ColumnType, *aliases: str, **kw: object) -> Column:
    return Column(name, type_, aliases=aliases, **kw)  # type: ignore[arg-type]


T = ColumnType
COLUMNS: Final[tuple[Column, ...]] = (
    _c("worker_id", T.TEXT, "사번", "직원번호", "관리번호", "id", required=True),
    _c("family_name", T.TEXT, "성", "영문성", "surname", required=True),
    _c("given_name", T.TEXT, "영문이름", "given_names", required=True),
    _c("name_ko", T.TEXT, "성명", "한글성명", "한글이름"),
    _c("birth_date", T.DATE, "생년월일", sensitive=True),
    _c("passport_number", T.TEXT, "여권번호", sensitive=True),
    _c("nationality", T.COUNTRY, "국적"),
    _c("employer", T.TEXT, "소속", "소속회사", "고용주"),
    _c("employer_nationality", T.COUNTRY, "소속회사국적", "고용주국적"),
    _c("sponsor", T.TEXT, "발주사", "투자사", "스폰서"),
    _c("project", T.TEXT, "프로젝트", "사업명"),
    _c("site_state", T.TEXT, "주", "현장주"),
    _c("worksite", T.TEXT, "현장", "근무지", "현장주소"),
    _c("sector", T.ENUM, "업종", "분야", choices=SECTORS),
    _c("trip_start", T.DATE, "입국일", "미국입국일", "출장시작일", required=True),
    _c("trip_end", T.DATE, "출국일", "미국출국일", "출장종료일", "귀국예정일", required=True),
    _c("activities", T.ACTIVITIES, "업무", "활동", "업무내용", required=True),
    _c("role", T.ENUM, "직무", "역할", "직급구분", required=True, choices=ROLES),
    _c("paid_by", T.ENUM, "급여지급", "급여지급처", required=True, choices=PAID_BY),
    _c("degree", T.ENUM, "학위", "최종학력", choices=DEGREES),
    _c("specialized_knowledge", T.BOOL, "전문지식"),
    _c("essential_skills", T.BOOL, "필수기술"),
    _c("equipment_from_abroad", T.BOOL, "해외구매설비", "해외설비"),
    _c("contract_requires_service", T.BOOL, "계약서설치조항", "계약상설치의무"),
    _c("us_entity", T.TEXT, "미국법인"),
    _c(
        "us_entity_treaty_ownership_pct",
        T.NUMBER,
        "미국법인지분율",
        "한국인지분율",
        minimum=0,
        maximum=100,
    ),
    _c("us_entity_e2_registered", T.BOOL, "E2등록", "E2등록여부"),
    _c("us_entity_affiliated", T.BOOL, "계열사여부", "관계회사"),
    _c("blanket_l", T.BOOL, "블랭킷L", "블랭킷"),
    _c("months_with_employer_last_3y", T.INT, "최근3년근속개월", minimum=0, maximum=36),
    _c("prior_visa_refusal", T.BOOL, "비자거절이력"),
    _c("prior_esta_denial", T.BOOL, "ESTA거부이력"),
    _c("prior_overstay", T.BOOL, "체류초과이력"),
    _c("visited_restricted_country", T.BOOL, "제한국가방문"),
    _c("temporary_need", T.BOOL, "일시적수요"),
    _c("holds_visa", T.TEXT, "보유비자"),
    _c("visa_expiry", T.DATE, "비자만료일"),
    _c("days_in_us_last_365", T.INT, "최근1년미국체류일수", minimum=0, maximum=365),
    # law2 (issue #11): L-1, E-2 and H-1B facts (optional; blank asks only where it matters).
    _c("qualifying_job_abroad", T.BOOL, "해외직무자격", "해외관리전문직무"),
    _c("primarily_managerial", T.BOOL, "주로관리업무"),
    _c("us_entity_new_office", T.BOOL, "신설사무소", "신설법인"),
    _c("h1b_cap_exempt", T.BOOL, "H1B쿼터면제"),
    _c("h1b_petition_kind", T.ENUM, "H1B청원유형", choices=H1B_PETITION_KINDS),
    # Issue #11 (law1): overstays (INA 222(g), 212(a)(9)(B)); optional, asked only
    # when prior_overstay is yes.
    _c("overstay_on_held_visa", T.BOOL, "보유비자체류초과", "체류초과비자동일"),
    _c("unlawful_presence_days", T.INT, "체류초과일수", minimum=0, maximum=36600),
    _c("overstay_departure", T.DATE, "체류초과후출국일"),
    # Issue #11 (law3): VWP dual nationality (INA 217(a)(12)); optional, blank = none declared.
    _c("other_nationalities", T.COUNTRIES, "기타국적", "복수국적", "other_citizenships"),
    _c("vwp_duty_exception", T.BOOL, "공무군복무예외"),
    # Issue #11 (law3): ESTA and entry documents (INA 217(a)(3), (a)(8)); optional.
    _c("esta_approved_until", T.DATE, "ESTA유효기간", "ESTA만료일"),
    _c("e_passport", T.BOOL, "전자여권"),
    _c("return_ticket", T.BOOL, "왕복항공권", "귀국항공권"),
    # Issue #11 (law3): installers work for the seller (9 FAM 402.2-5(E)(1)); optional.
    _c("employer_is_seller", T.BOOL, "판매사소속", "설비판매사여부"),
    # Issue #11 (law3): the project's end date, named in the B-1 annotation; optional.
    _c("project_end", T.DATE, "프로젝트종료일", "사업종료일"),
)
COLUMN_BY_NAME: Final = {c.name: c for c in COLUMNS}
