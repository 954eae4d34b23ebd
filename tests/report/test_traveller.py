"""The traveller sheet: built from a screening result and the rule data, printed bilingually."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pytest

from visadesk.engine import Screener, ScreeningResult
from visadesk.i18n import catalog, t
from visadesk.policy.documents import load_checklist
from visadesk.policy.model import Policy
from visadesk.report.traveller import (
    SheetActivity,
    SheetError,
    TravellerSheet,
    build_sheet,
    group_activities,
    render_html,
    render_pdf,
)
from visadesk.roster import read_roster
from visadesk.roster.schema import ACTIVITY_CODES

AS_OF = dt.date(2026, 11, 27)
TEMPLATE = Path(str(resources.files("visadesk") / "report" / "templates" / "traveller.html"))


@pytest.fixture(scope="module")
def screened(baseline: Policy, sample_csv: Path) -> dict[str, ScreeningResult]:
    screener = Screener(baseline, as_of=AS_OF)
    return {
        str(r.facts["worker_id"]): screener.screen(r.facts, row=r.row)
        for r in read_roster(sample_csv).rows
    }


def display_name(result: ScreeningResult) -> str:
    f = result.facts
    return f"{f['family_name']} {f['given_name']} ({f['name_ko']})"


@pytest.fixture(scope="module")
def installer(baseline: Policy, screened: dict[str, ScreeningResult]) -> TravellerSheet:
    """DS-0003: a B-1 (E)(1) installer from the sample roster."""
    result = screened["DS-0003"]
    assert result.recommended == "B1"
    assert result.verdicts["B1"].basis == ("B1.commercial_industrial_worker",)
    assert result.facts["activities"] == ("install_equipment", "train_us_workers")
    return build_sheet(result, baseline, None, display_name(result))


def codes(items: Sequence[SheetActivity]) -> list[str]:
    return [a.code for a in items]


# -- building ------------------------------------------------------------------------------


def test_installer_status_and_basis(installer: TravellerSheet, baseline: Policy) -> None:
    assert installer.name == "KANG DONGWOOK (강동욱)"
    assert (installer.category, installer.status) == ("B1", "eligible")
    assert installer.category_title == baseline.categories["B1"].title
    assert installer.basis == ("B1.commercial_industrial_worker",)
    assert installer.basis_text == "9 FAM 402.2-5(E)(1)"
    assert installer.employer == "Daeseong Precision Machinery"


def test_installer_carries_the_contract_clause(installer: TravellerSheet) -> None:
    carried = [d.id for d in installer.carry]
    assert "contract_of_sale_clause" in carried
    assert "specialized_knowledge_letter" in carried
    assert "passport" in carried
    assert "ds160_confirmation" not in carried  # for the interview, not the port
    assert "esta_approval" not in carried
    clause = next(d for d in installer.carry if d.id == "contract_of_sale_clause")
    assert clause.citation == "9 FAM 402.2-5(E)(1)" and clause.required
    passport = next(d for d in installer.carry if d.id == "passport")
    assert passport.citation is None and passport.verify


def test_installer_last_day_comes_from_the_admission_parameter(
    installer: TravellerSheet, baseline: Policy
) -> None:
    admission = baseline.param("b1_typical_stay_days", AS_OF)
    assert installer.admission_days == admission == 180
    assert installer.trip_start == dt.date(2027, 2, 1)
    assert installer.last_day == dt.date(2027, 7, 30)  # day 1 is the day of entry
    assert (installer.last_day - installer.trip_start).days + 1 == admission
    assert installer.trip_end == dt.date(2027, 5, 21) and installer.trip_days == 110
    assert not installer.ends_after_last_day
    assert "8 CFR 214.2(b)(1)" in installer.stay_source


def test_installer_may_do_the_planned_work_on_its_provision(installer: TravellerSheet) -> None:
    planned = [a for a in installer.may_do if a.planned]
    assert codes(planned) == ["install_equipment", "train_us_workers"]
    for activity in planned:
        assert activity.kind == "allowed"
        assert activity.rules == ("B1.commercial_industrial_worker",)
        assert activity.citation == "9 FAM 402.2-5(E)(1)"
    also = {a.code: a.rules for a in installer.may_do if not a.planned}
    assert also["service_equipment"] == ("B1.commercial_industrial_worker",)
    assert also["meetings"] == ("B1.general_business",)  # no conditions: any B-1 visitor
    assert sorted([*codes(installer.may_do), *codes(installer.may_not_do)]) == sorted(
        ACTIVITY_CODES
    )


def test_installer_may_not_do_what_the_rules_prohibit(installer: TravellerSheet) -> None:
    refused = {a.code: a for a in installer.may_not_do}
    construction = refused["construction_work"]
    assert construction.kind == "prohibited"
    assert construction.rules == ("B1.construction_excluded",)
    assert construction.citation == "8 CFR 214.2(b)(5)"
    assert refused["production_work"].rules == ("B1.production_is_employment",)
    assert refused["manage_us_entity"].rules == ("B1.managing_is_employment",)
    # Allowed on B-1 only on a provision this trip did not establish.
    assert refused["professional_work"].kind == "conditional"
    assert refused["professional_work"].rules == ("B1.in_lieu_of_h",)
    assert refused["supervise_construction"].kind == "conditional"
    assert installer.default_rule == "B1.not_business_activity"


def test_installer_annotation_and_notice(installer: TravellerSheet, baseline: Policy) -> None:
    assert installer.annotation is not None
    assert installer.annotation.en.startswith("B-1 | 9 FAM 402.2-5(E)(1) | Employer: Daeseong")
    assert "고용주: Daeseong" in installer.annotation.ko
    assert installer.notice == baseline.notice


def test_general_business_visitor_carries_no_contract_clause(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    result = screened["HB-0003"]
    assert result.verdicts["B1"].basis == ("B1.general_business",)
    sheet = build_sheet(result, baseline, "B1", "PARK JUNHO")
    assert "contract_of_sale_clause" not in [d.id for d in sheet.carry]
    refused = {a.code: a for a in sheet.may_not_do}
    assert refused["install_equipment"].kind == "conditional"
    assert refused["install_equipment"].rules == ("B1.commercial_industrial_worker",)


def test_esta_traveller_has_no_visa_annotation(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    result = screened["DS-0002"]
    assert result.recommended == "VWP"
    sheet = build_sheet(result, baseline, None, "x")
    assert sheet.annotation is None  # B-1 is eligible too, but the person travels on ESTA
    assert sheet.last_day == sheet.trip_start + dt.timedelta(days=89)
    assert not sheet.extendable
    carried = [d.id for d in sheet.carry]
    assert "esta_approval" in carried and "contract_of_sale_clause" in carried
    refused = {a.code: a.rules for a in sheet.may_not_do}
    assert refused["construction_work"] == ("VWP.construction_excluded",)
    assert refused["professional_work"] == ("VWP.in_lieu_needs_visa",)


def test_the_same_person_on_b1_gets_the_annotation(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    sheet = build_sheet(screened["DS-0002"], baseline, "B1", "x")
    assert sheet.annotation is not None and "9 FAM 402.2-5(E)(1)" in sheet.annotation.en
    assert "esta_approval" not in [d.id for d in sheet.carry]


def test_a_trip_past_the_last_day_is_flagged(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    sheet = build_sheet(screened["HB-0028"], baseline, None, "x")
    assert sheet.category == "B1" and sheet.extendable
    assert sheet.ends_after_last_day
    assert t("traveller.beyond_extendable", "ko") in render_html(sheet, "ko")
    assert t("traveller.beyond_final", "en") not in render_html(sheet, "en")


def test_a_work_status_allows_only_the_job_it_was_screened_for(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    sheet = build_sheet(screened["HB-0029"], baseline, None, "x")
    assert sheet.category == "E2"
    assert codes(sheet.may_do) == ["manage_us_entity"]
    assert {a.rules for a in sheet.may_do} == {("E2.employment",)}
    # E-2 could cover the rest in another role; this trip was screened for this one.
    assert {a.kind for a in sheet.may_not_do} == {"outside_job"}
    assert {a.rules for a in sheet.may_not_do} == {("E2.employment",)}
    assert [len(g.activities) for g in group_activities(sheet.may_not_do)] == [11]
    assert sheet.default_rule == "E2.outside_role"
    assert "e2_registration" in [d.id for d in sheet.carry]
    ownership = [d for d in load_checklist(baseline).for_case("E2", ()) if d.id == "e2_ownership"]
    assert ownership and not ownership[0].carry_at_port


def test_a_proposed_status_without_a_checklist(
    with_e4: Policy, screened: dict[str, ScreeningResult]
) -> None:
    result = Screener(with_e4, as_of=AS_OF).screen(dict(screened["HB-0027"].facts))
    sheet = build_sheet(result, with_e4, "E4", "x")
    assert sheet.carry == ()
    assert sheet.notice == with_e4.notice and "not law" in sheet.notice.en  # the layer's notice
    html = render_html(sheet, "en")
    assert t("traveller.no_documents", "en") in html and t("traveller.no_documents", "ko") in html


def test_refusals_explain_themselves_in_both_languages(
    baseline: Policy, with_e4: Policy, screened: dict[str, ScreeningResult]
) -> None:
    with pytest.raises(SheetError) as info:
        build_sheet(screened["DS-0003"], baseline, "VWP", "x")
    assert info.value.code == "not_eligible"
    assert "DS-0003" in str(info.value) and "ineligible" in str(info.value)
    assert "부적격" in info.value.message("ko")
    with pytest.raises(SheetError, match="no status is recommended") as none:
        build_sheet(screened["DS-0006"], baseline, None, "x")
    assert none.value.code == "no_category"
    with pytest.raises(SheetError) as unknown:
        build_sheet(screened["DS-0003"], baseline, "E4", "x")
    assert unknown.value.code == "not_screened"
    with pytest.raises(SheetError) as mismatch:
        build_sheet(screened["DS-0003"], with_e4, None, "x")
    assert mismatch.value.code == "policy_mismatch"
    with pytest.raises(SheetError) as other_checklist:
        build_sheet(screened["DS-0003"], baseline, None, "x", checklist=load_checklist(with_e4))
    assert other_checklist.value.code == "checklist_mismatch"
    assert "2026.12.03+e4" in other_checklist.value.message("ko")


def test_a_checklist_can_be_passed_in(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    checklist = load_checklist(baseline)
    result = screened["DS-0003"]
    assert build_sheet(result, baseline, None, "x", checklist=checklist) == build_sheet(
        result, baseline, None, "x"
    )


def test_every_eligible_status_of_the_sample_roster_makes_a_sheet(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    checklist = load_checklist(baseline)
    made = 0
    for result in screened.values():
        for cid, verdict in result.verdicts.items():
            if verdict.status.value != "eligible":
                continue
            sheet = build_sheet(result, baseline, cid, "x", checklist=checklist)
            assert sheet.carry, (result.worker_id, cid)
            planned = result.facts["activities"]
            assert isinstance(planned, tuple)
            assert [a.code for a in sheet.may_do if a.planned] == list(planned)
            made += 1
    # Issue #11: the sample roster has no qualifying_job_abroad column, so its L-1 rows now ask.
    assert made > 70


# -- HTML ------------------------------------------------------------------------------


def test_html_in_both_languages_holds_the_catalog_and_rule_texts(
    installer: TravellerSheet,
) -> None:
    for lang, other in (("en", "ko"), ("ko", "en")):
        html = render_html(installer, lang)
        assert f'<html lang="{lang}">' in html
        for key in (
            "traveller.title",
            "traveller.may_do",
            "traveller.may_not_do",
            "traveller.carry",
        ):
            assert t(key, "en") in html and t(key, "ko") in html
        # The chosen language comes first, the other alongside.
        assert html.index(t("traveller.title", lang)) < html.index(t("traveller.title", other))
        for text in (
            "Contract of sale - service clause",
            "매매계약서 - 설치·정비 조항",
            t("activity.install_equipment", "en"),
            t("activity.install_equipment", "ko"),
            "Building or construction work is never B-1",
            "건설·시공 작업은 B-1 불가",
            installer.notice.en,
            installer.notice.ko,
            "2027-07-30",
            "9 FAM 402.2-5(E)(1)",
            t("traveller.last_day_note", lang, days=180, start="2027-02-01"),
        ):
            assert text in html, text


def test_html_is_a_printable_a4_page(installer: TravellerSheet) -> None:
    html = render_html(installer, "ko")
    assert "@media print" in html and "size: A4" in html
    assert html.lstrip().startswith("<!DOCTYPE html>")


def test_html_escapes_what_it_prints(installer: TravellerSheet) -> None:
    sheet = dataclasses.replace(installer, name="<script>alert(1)</script>")
    html = render_html(sheet, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_template_writes_no_words_of_its_own() -> None:
    source = TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"<style>.*?</style>", " ", source, flags=re.S)
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    assert re.findall(r"[A-Za-z가-힣]+", text) == []


def test_every_key_in_the_template_is_in_both_catalogs() -> None:
    source = TEMPLATE.read_text(encoding="utf-8")
    keys = set(re.findall(r"""['"]((?:traveller|documents)\.[a-z0-9_.]+)['"]""", source))
    assert len(keys) > 15
    for lang in ("en", "ko"):
        assert sorted(keys - set(catalog(lang))) == [], lang


# -- PDF -------------------------------------------------------------------------------


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def test_pdf_is_one_deterministic_a4_page(installer: TravellerSheet) -> None:
    pdf = render_pdf(installer)
    assert pdf.startswith(b"%PDF")
    assert pdf == render_pdf(installer)
    assert page_count(pdf) == 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    assert b"+VisadeskGothic-Regular" in pdf  # the shipped font, embedded as a subset
    assert b"HYGothic" not in pdf


def test_pdf_puts_the_chosen_language_first(installer: TravellerSheet) -> None:
    en, ko = render_pdf(installer, "en"), render_pdf(installer, "ko")
    assert ko.startswith(b"%PDF") and page_count(ko) == 1
    assert en != ko


def test_a_long_sheet_still_fits_one_page(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    sheet = build_sheet(screened["HB-0028"], baseline, None, "HWANG MIRAE (황미래)")
    assert page_count(render_pdf(sheet)) == 1
