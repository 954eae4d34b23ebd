# OpenFisca names variables after their classes, in snake_case, and its formulas
# take the population, not ``self``, as first argument.
# ruff: noqa: N801, N805
# openfisca-core is partly typed and OpenFisca formulas are untyped by convention;
# the project's strict mypy reaches this file through tests/bench, with or without
# the bench group installed.
# mypy: allow-subclassing-any, allow-untyped-defs, allow-untyped-calls
# mypy: disable-error-code="import-untyped, import-not-found"
"""visadesk's baseline rules written as an OpenFisca model: the benchmark peer.

One entity, the ``trip`` (one roster row: one trip of one person). The roster
columns are input variables; one Enum variable per category (``vwp_status``,
``b1_status``, ``e2_status``, ``l1a_status``, ``l1b_status``, ``h1b_status``,
``h2b_status``) gives ``eligible``, ``ineligible`` or ``needs_info``, computed
with the requirements, activity treatments and parameters of
``src/visadesk/rules/baseline`` (policy version 2026.11.27). Parameters live in
OpenFisca's YAML format under ``parameters/``, effective-dated as OpenFisca does.

Unknown facts, the way OpenFisca models usually carry them (OpenFisca arrays
have no null):

- yes/no and number columns: the value plus a ``<fact>_known`` boolean input
  (``specialized_knowledge`` + ``specialized_knowledge_known``). An input left
  unset is unknown, since ``_known`` defaults to ``False``.
- enum columns (``role``, ``paid_by``, ``degree``): an ``unknown`` member, the
  default value (a sentinel, like the "non renseigné" members of OpenFisca-France).
- country columns (``nationality``, ``employer_nationality``, and
  ``other_nationalities``, codes joined by ``;``): ``str`` variables, ``""`` when unknown.
- ``overstay_departure``, the one date that may be blank: the date plus
  ``overstay_departure_known``; ``years_since_overstay_departure`` is derived from
  it and ``trip_start`` as visadesk derives it (whole years, ``engine.screen.whole_years``).
- ``activities``: one boolean per activity code (``activity_install_equipment``).
  The roster requires the column, so it is never unknown.

Conditions evaluate to Kleene truth values held in ``int`` variables and arrays:
``NO = 0``, ``UNKNOWN = 1``, ``YES = 2``; ``all_of`` is the element-wise minimum
and ``any_of`` the maximum, which is exactly three-valued AND and OR. The status
Enum lists its members in the same order (``ineligible``, ``needs_info``,
``eligible``), so a category formula returns the Kleene AND of its requirements
and planned activities and OpenFisca encodes it as the status.

Dates: the simulation period is the ``as_of`` day, so ``parameters(period)``
gives the values in force that day (the VWP country list changes on
2023-09-27). The specialized-trainer provision (9 FAM 402.2-5(E)(2)) is a dated
formula, ``formula_2025_12_04``; before that day OpenFisca returns the
variable's default, NO, and NO leaves the Kleene OR with the commercial-worker
provision unchanged, which is what visadesk does when it skips a provision not
yet in force.

The unlawful-presence bars (INA 212(a)(9)(B)) are one variable,
``no_unlawful_presence_bar``, read by every category but VWP (whose
``no_prior_violation`` already fails any overstay). VWP's entry documents
(``e_passport``, ``return_ticket``) fail only on an explicit no, and a blank
``other_nationalities`` declares none, as in the rule files.

Only the statuses are computed: no reasons, no missing-fact lists, no
``recommended`` category, no flags, no lead times. That is the comparison.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

import numpy
from numpy.typing import NDArray
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY, ETERNITY
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from visadesk.roster.schema import ACTIVITY_CODES

__all__ = [
    "ACTIVITY_CODES",
    "CATEGORY_VARIABLES",
    "KNOWN_FLAG_FACTS",
    "NO",
    "UNKNOWN",
    "YES",
    "Degree",
    "PaidBy",
    "Role",
    "ScreeningStatus",
    "Trip",
    "VisaTaxBenefitSystem",
    "all_of",
    "any_of",
    "tri",
]

PARAMETERS_DIR = Path(__file__).parent / "parameters"

# Kleene truth values: ordered so that AND is min and OR is max.
NO, UNKNOWN, YES = 0, 1, 2

TriArray = NDArray[numpy.integer[Any]]
BoolArray = NDArray[numpy.bool_]


#: Yes/no roster columns the rules read; each gets ``<fact>`` and ``<fact>_known``.
KNOWN_FLAG_FACTS = (
    "specialized_knowledge",
    "essential_skills",
    "equipment_from_abroad",
    "contract_requires_service",
    "us_entity_affiliated",
    "prior_esta_denial",
    "prior_overstay",
    "visited_restricted_country",
    "temporary_need",
    "qualifying_job_abroad",
    "primarily_managerial",
    "vwp_duty_exception",
    "e_passport",
    "return_ticket",
    "employer_is_seller",
)

#: Category id (visadesk) -> status variable (this model).
CATEGORY_VARIABLES = {
    "VWP": "vwp_status",
    "B1": "b1_status",
    "E2": "e2_status",
    "L1A": "l1a_status",
    "L1B": "l1b_status",
    "H1B": "h1b_status",
    "H2B": "h2b_status",
}


Trip = build_entity(
    key="trip",
    plural="trips",
    label="A planned US trip of one person (one roster row)",
    is_person=True,
)


# -- Kleene logic on numpy arrays ------------------------------------------------
def tri(holds: BoolArray | bool, known: BoolArray | bool = True) -> TriArray:
    """YES where ``holds``, NO where not, UNKNOWN where the facts are not ``known``."""
    return numpy.where(known, numpy.where(holds, YES, NO), UNKNOWN).astype(numpy.int8)


def all_of(*values: TriArray) -> TriArray:
    """Three-valued AND: NO if any is NO, else UNKNOWN if any is UNKNOWN, else YES."""
    return functools.reduce(numpy.minimum, values)


def any_of(*values: TriArray) -> TriArray:
    """Three-valued OR: YES if any is YES, else UNKNOWN if any is UNKNOWN, else NO."""
    return functools.reduce(numpy.maximum, values)


def if_planned(planned: BoolArray, outcome: TriArray | int) -> TriArray:
    """An activity's outcome counts only when the activity is planned."""
    return numpy.where(planned, outcome, YES).astype(numpy.int8)


# -- Enums -----------------------------------------------------------------------
class ScreeningStatus(Enum):
    """Indices equal the Kleene value of "every requirement and activity holds"."""

    ineligible = "Ineligible"
    needs_info = "Needs information"
    eligible = "Eligible"


class Role(Enum):
    unknown = "Not given"
    executive = "Executive"
    manager = "Manager"
    specialist = "Specialist"
    technician = "Technician"
    laborer = "Laborer"


class PaidBy(Enum):
    unknown = "Not given"
    home_employer = "Home employer (abroad)"
    us_entity = "US entity"
    mixed = "Mixed"


class Degree(Enum):
    unknown = "Not given"
    none = "None"
    associate = "Associate"
    bachelor = "Bachelor"
    master = "Master"
    doctorate = "Doctorate"


# -- Inputs: the roster columns the rules read ---------------------------------------
# No ``max_length``: with it OpenFisca stores ``|S2`` bytes, and ``numpy.isin``
# against a list of str then depends on the list's length (elementwise ``==``
# between bytes and str is always False; the sorting path promotes to str).
class nationality(Variable):
    value_type = str
    default_value = ""
    entity = Trip
    definition_period = ETERNITY
    label = "Nationality (ISO 3166-1 alpha-2; empty when not known)"


class employer_nationality(Variable):
    value_type = str
    default_value = ""
    entity = Trip
    definition_period = ETERNITY
    label = "Nationality of the employer (ISO 3166-1 alpha-2; empty when not known)"


class other_nationalities(Variable):
    value_type = str
    default_value = ""
    entity = Trip
    definition_period = ETERNITY
    label = "Other nationalities (ISO codes joined by ';', sorted; empty when not declared)"


class trip_start(Variable):
    value_type = date
    entity = Trip
    definition_period = ETERNITY
    label = "First day in the US"


class trip_end(Variable):
    value_type = date
    entity = Trip
    definition_period = ETERNITY
    label = "Last day in the US"


class overstay_departure(Variable):
    value_type = date
    entity = Trip
    definition_period = ETERNITY
    label = "Day the person left the US after an overstay"


class overstay_departure_known(Variable):
    value_type = bool
    entity = Trip
    definition_period = ETERNITY
    label = "Whether the departure after an overstay was given"


class role(Variable):
    value_type = Enum
    possible_values = Role
    default_value = Role.unknown
    entity = Trip
    definition_period = ETERNITY
    label = "Role of the person"


class paid_by(Variable):
    value_type = Enum
    possible_values = PaidBy
    default_value = PaidBy.unknown
    entity = Trip
    definition_period = ETERNITY
    label = "Who pays the person during the trip"


class degree(Variable):
    value_type = Enum
    possible_values = Degree
    default_value = Degree.unknown
    entity = Trip
    definition_period = ETERNITY
    label = "Highest degree"


class us_entity_treaty_ownership_pct(Variable):
    value_type = float
    entity = Trip
    definition_period = ETERNITY
    label = "Share of the US enterprise owned by treaty nationals (percent)"


class us_entity_treaty_ownership_pct_known(Variable):
    value_type = bool
    entity = Trip
    definition_period = ETERNITY
    label = "Whether the treaty ownership share was given"


class months_with_employer_last_3y(Variable):
    value_type = int
    entity = Trip
    definition_period = ETERNITY
    label = "Months abroad with the employer group in the last 36"


class months_with_employer_last_3y_known(Variable):
    value_type = bool
    entity = Trip
    definition_period = ETERNITY
    label = "Whether the months with the employer group were given"


class unlawful_presence_days(Variable):
    value_type = int
    entity = Trip
    definition_period = ETERNITY
    label = "Days of unlawful presence in the overstay"


class unlawful_presence_days_known(Variable):
    value_type = bool
    entity = Trip
    definition_period = ETERNITY
    label = "Whether the days of unlawful presence were given"


def _input_variable(name: str, label: str) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": bool,
            "entity": Trip,
            "definition_period": ETERNITY,
            "label": label,
            "__module__": __name__,
        },
    )


#: ``<fact>`` and ``<fact>_known`` for each yes/no fact, and one flag per activity.
GENERATED_INPUTS: tuple[type[Variable], ...] = (
    *(
        variable
        for fact in KNOWN_FLAG_FACTS
        for variable in (
            _input_variable(fact, f"{fact} (yes/no; read with {fact}_known)"),
            _input_variable(f"{fact}_known", f"Whether {fact} was given"),
        )
    ),
    *(
        _input_variable(f"activity_{code}", f"The trip plans the activity {code}")
        for code in ACTIVITY_CODES
    ),
)


# -- Derived facts and shared conditions -------------------------------------------
class trip_days(Variable):
    value_type = int
    entity = Trip
    definition_period = ETERNITY
    label = "Days in the US, counting the first and the last day"

    def formula(trip, period):
        days = trip("trip_end", period) - trip("trip_start", period)
        return days.astype("timedelta64[D]").astype(int) + 1


def _year_month_day(days: NDArray[numpy.datetime64]) -> tuple[NDArray[Any], ...]:
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    return (
        years.astype(int) + 1970,
        months.astype(int) % 12 + 1,
        (days - months).astype("timedelta64[D]").astype(int) + 1,
    )


class years_since_overstay_departure(Variable):
    value_type = int
    entity = Trip
    definition_period = ETERNITY
    label = "Whole years from overstay_departure to trip_start (read with overstay_departure_known)"

    def formula(trip, period):
        # visadesk's engine.screen.whole_years: a 29 February departure comes round on 1 March.
        since_y, since_m, since_d = _year_month_day(trip("overstay_departure", period))
        until_y, until_m, until_d = _year_month_day(trip("trip_start", period))
        before = (until_m < since_m) | ((until_m == since_m) & (until_d < since_d))
        return until_y - since_y - before.astype(int)


class no_unlawful_presence_bar(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: no 3- or 10-year unlawful-presence bar is running (INA 212(a)(9)(B))"
    reference = "https://www.law.cornell.edu/uscode/text/8/1182"

    def formula(trip, period, parameters):
        p = parameters(period).unlawful_presence
        days = trip("unlawful_presence_days", period)
        days_known = trip("unlawful_presence_days_known", period)
        years = trip("years_since_overstay_departure", period)
        years_known = trip("overstay_departure_known", period)
        return any_of(
            _flag_no(trip, "prior_overstay", period),
            all_of(
                tri(trip("prior_overstay_known", period)),
                _flag(trip, "prior_overstay", period),
                any_of(
                    tri(days <= p.bar_min_days, days_known),
                    all_of(
                        tri(days < p.ten_year_min_days, days_known),
                        tri(years >= p.three_year_bar_years, years_known),
                    ),
                    tri(years >= p.ten_year_bar_years, years_known),
                ),
            ),
        )


class paid_by_home_employer(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: paid only by the home employer abroad (no US-source pay)"

    def formula(trip, period):
        paid = trip("paid_by", period)
        return tri(paid == PaidBy.home_employer, paid != PaidBy.unknown)


class has_h1b_degree(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: the degree meets the H-1B education test"

    def formula(trip, period, parameters):
        held = trip("degree", period)
        qualifying = numpy.isin(held.decode_to_str(), parameters(period).h1b.degrees)
        return tri(qualifying, held != Degree.unknown)


class l1_qualifying_employment(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: one year abroad with the group in the last three (8 CFR 214.2(l))"
    reference = "https://www.ecfr.gov/current/title-8/section-214.2"

    def formula(trip, period, parameters):
        months = trip("months_with_employer_last_3y", period)
        known = trip("months_with_employer_last_3y_known", period)
        return tri(months >= parameters(period).l1.min_months, known)


def _flag(trip: Any, fact: str, period: Any) -> TriArray:
    """Kleene value of the yes/no fact ``fact`` being yes."""
    return tri(trip(fact, period), trip(f"{fact}_known", period))


def _flag_no(trip: Any, fact: str, period: Any) -> TriArray:
    """Kleene value of the yes/no fact ``fact`` being no."""
    return tri(~trip(fact, period), trip(f"{fact}_known", period))


def _country_in(trip: Any, fact: str, period: Any, countries: list[str]) -> TriArray:
    held = trip(fact, period)
    return tri(numpy.isin(held, countries), held != "")


def _is_manager(trip: Any, period: Any) -> TriArray:
    held = trip("role", period)
    return tri((held == Role.executive) | (held == Role.manager), held != Role.unknown)


def _not_explicit_no(trip: Any, fact: str, period: Any) -> TriArray:
    """Kleene value of "``fact`` is blank or yes": only an explicit no fails."""
    return any_of(tri(~trip(f"{fact}_known", period)), _flag(trip, fact, period))


def _paid_by_us_entity(trip: Any, period: Any) -> TriArray:
    paid = trip("paid_by", period)
    return tri((paid == PaidBy.us_entity) | (paid == PaidBy.mixed), paid != PaidBy.unknown)


def _countries_have_none(trip: Any, fact: str, period: Any, countries: list[str]) -> TriArray:
    """Kleene value of the ``;``-joined country list ``fact`` holding none of ``countries``."""
    held = trip(fact, period).astype(str)
    padded = numpy.char.add(numpy.char.add(";", held), ";")
    member = numpy.zeros(held.shape, dtype=bool)
    for code in countries:
        member |= numpy.char.find(padded, f";{code};") >= 0
    return tri(~member, held != "")


# -- B-1 provisions (9 FAM 402.2-5; 8 CFR 214.2(b)(5)), shared by VWP and B-1 -------
class b1_commercial_industrial_worker(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: commercial or industrial worker provision holds (9 FAM 402.2-5(E)(1))"
    reference = "https://fam.state.gov/fam/09FAM/09FAM040202.html"

    def formula(trip, period):
        return all_of(
            _flag(trip, "contract_requires_service", period),
            _flag(trip, "specialized_knowledge", period),
            trip("paid_by_home_employer", period),
            _flag(trip, "equipment_from_abroad", period),
            _flag(trip, "employer_is_seller", period),
        )


class b1_specialized_trainer(Variable):
    value_type = int
    default_value = NO  # before 4 December 2025 the provision does not exist
    entity = Trip
    definition_period = DAY
    label = "Kleene: specialized trainer provision holds (9 FAM 402.2-5(E)(2))"
    reference = "https://fam.state.gov/fam/09FAM/09FAM040202.html"

    def formula_2025_12_04(trip, period):
        hands_on = trip("activity_production_work", period) | trip(
            "activity_construction_work", period
        )
        return all_of(
            _flag(trip, "equipment_from_abroad", period),
            _flag(trip, "specialized_knowledge", period),
            trip("paid_by_home_employer", period),
            tri(~hands_on),
        )


class b1_construction_supervision(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: supervising construction, without doing it, holds (8 CFR 214.2(b)(5))"
    reference = "https://www.ecfr.gov/current/title-8/section-214.2"

    def formula(trip, period):
        return tri(~trip("activity_construction_work", period))


class b1_in_lieu_of_h(Variable):
    value_type = int
    entity = Trip
    definition_period = DAY
    label = "Kleene: B-1 in lieu of H provision holds (9 FAM 402.2-5(F))"
    reference = "https://fam.state.gov/fam/09FAM/09FAM040202.html"

    def formula(trip, period):
        return all_of(trip("has_h1b_degree", period), trip("paid_by_home_employer", period))


def _visitor_activities(trip: Any, period: Any, *, professional: TriArray | int) -> TriArray:
    """Activity treatments shared by VWP and B-1 (VWP.yaml cites the B-1 provisions).

    Meetings, negotiation, conferences and site surveys rest on general business
    (no conditions); construction, production and managing the US entity are
    prohibited. Professional work differs: B-1 in lieu of H for B-1, prohibited
    for VWP.
    """

    def planned(code: str) -> BoolArray:
        flags: BoolArray = trip(f"activity_{code}", period)
        return flags

    equipment_work = trip("b1_commercial_industrial_worker", period)
    return all_of(
        if_planned(planned("install_equipment") | planned("service_equipment"), equipment_work),
        if_planned(
            planned("train_us_workers"),
            any_of(equipment_work, trip("b1_specialized_trainer", period)),
        ),
        if_planned(planned("supervise_construction"), trip("b1_construction_supervision", period)),
        if_planned(planned("professional_work"), professional),
        if_planned(
            planned("construction_work") | planned("production_work") | planned("manage_us_entity"),
            NO,
        ),
    )


# -- Category statuses ---------------------------------------------------------------
class vwp_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "Visa Waiver Program (ESTA)"
    reference = "https://www.law.cornell.edu/uscode/text/8/1187"

    def formula(trip, period, parameters):
        p = parameters(period).vwp
        return all_of(
            _country_in(trip, "nationality", period, p.countries),
            tri(trip("trip_days", period) <= p.max_stay_days),
            _flag_no(trip, "prior_overstay", period),
            _flag_no(trip, "visited_restricted_country", period),
            _flag_no(trip, "prior_esta_denial", period),
            trip("paid_by_home_employer", period),
            any_of(  # VWP.no_barred_dual_nationality
                tri(trip("other_nationalities", period) == ""),
                _countries_have_none(
                    trip, "other_nationalities", period, p.barred_dual_nationalities
                ),
                _flag(trip, "vwp_duty_exception", period),
            ),
            _not_explicit_no(trip, "e_passport", period),
            _not_explicit_no(trip, "return_ticket", period),
            _visitor_activities(trip, period, professional=NO),
        )


class b1_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "B-1 business visitor"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period):
        # No stay limit: one year is the longest admission, not a ceiling (8 CFR 214.2(b)(1)).
        return all_of(
            trip("paid_by_home_employer", period),
            trip("no_unlawful_presence_bar", period),
            _visitor_activities(trip, period, professional=trip("b1_in_lieu_of_h", period)),
        )


class e2_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "E-2 treaty investor employee"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period, parameters):
        p = parameters(period).e2
        own = trip("nationality", period)
        employer = trip("employer_nationality", period)
        ownership = trip("us_entity_treaty_ownership_pct", period)
        # All activities rest on E2.employment, which has no conditions.
        return all_of(
            _country_in(trip, "nationality", period, p.treaty_countries),
            tri(own == employer, (own != "") & (employer != "")),
            tri(
                ownership >= p.min_treaty_ownership_pct,
                trip("us_entity_treaty_ownership_pct_known", period),
            ),
            _flag(trip, "us_entity_affiliated", period),
            any_of(_is_manager(trip, period), _flag(trip, "essential_skills", period)),
            trip("no_unlawful_presence_bar", period),
        )


class l1a_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "L-1A intracompany manager or executive"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period):
        # Other activities rest on L1A.employment, which has no conditions.
        held = trip("role", period)
        known = held != Role.unknown
        hands_on = trip("activity_construction_work", period) | trip(
            "activity_production_work", period
        )
        return all_of(
            trip("l1_qualifying_employment", period),
            _flag(trip, "us_entity_affiliated", period),
            _flag(trip, "qualifying_job_abroad", period),
            any_of(  # L1A.managerial_role
                tri(held == Role.executive, known),
                all_of(
                    tri(held == Role.manager, known), _flag(trip, "primarily_managerial", period)
                ),
            ),
            trip("no_unlawful_presence_bar", period),
            if_planned(hands_on, NO),  # L1A.hands_on_work
        )


class l1b_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "L-1B intracompany specialized knowledge"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period):
        return all_of(
            trip("l1_qualifying_employment", period),
            _flag(trip, "us_entity_affiliated", period),
            _flag(trip, "qualifying_job_abroad", period),
            _flag(trip, "specialized_knowledge", period),
            trip("no_unlawful_presence_bar", period),
        )


class h1b_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "H-1B specialty occupation"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period):
        hands_on = trip("activity_construction_work", period) | trip(
            "activity_production_work", period
        )
        return all_of(
            trip("has_h1b_degree", period),
            _paid_by_us_entity(trip, period),
            trip("no_unlawful_presence_bar", period),
            if_planned(hands_on, NO),  # H1B.not_specialty_occupation
        )


class h2b_status(Variable):
    value_type = Enum
    possible_values = ScreeningStatus
    default_value = ScreeningStatus.needs_info
    entity = Trip
    definition_period = DAY
    label = "H-2B temporary non-agricultural worker"
    reference = "https://www.law.cornell.edu/uscode/text/8/1101"

    def formula(trip, period, parameters):
        # All activities rest on H2B.temporary_labor, which has no conditions.
        return all_of(
            _country_in(trip, "nationality", period, parameters(period).h2b.countries),
            _flag(trip, "temporary_need", period),
            _paid_by_us_entity(trip, period),  # H2B.us_employer_pays
            trip("no_unlawful_presence_bar", period),
        )


VARIABLES: tuple[type[Variable], ...] = (
    nationality,
    employer_nationality,
    other_nationalities,
    trip_start,
    trip_end,
    overstay_departure,
    overstay_departure_known,
    role,
    paid_by,
    degree,
    us_entity_treaty_ownership_pct,
    us_entity_treaty_ownership_pct_known,
    months_with_employer_last_3y,
    months_with_employer_last_3y_known,
    unlawful_presence_days,
    unlawful_presence_days_known,
    *GENERATED_INPUTS,
    trip_days,
    years_since_overstay_departure,
    no_unlawful_presence_bar,
    paid_by_home_employer,
    has_h1b_degree,
    l1_qualifying_employment,
    b1_commercial_industrial_worker,
    b1_specialized_trainer,
    b1_construction_supervision,
    b1_in_lieu_of_h,
    vwp_status,
    b1_status,
    e2_status,
    l1a_status,
    l1b_status,
    h1b_status,
    h2b_status,
)


class VisaTaxBenefitSystem(TaxBenefitSystem):
    """The peer's tax and benefit system: one entity, the variables above, the parameters."""

    def __init__(self) -> None:
        super().__init__([Trip])
        self.load_parameters(PARAMETERS_DIR)
        self.add_variables(*VARIABLES)
