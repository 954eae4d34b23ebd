"""The traveller sheet as people use it (issue #12): the PDF embeds its Korean font and
its text extracts; "may do / may not do" follows the status's activity treatments;
notes meant for counsel never reach the traveller."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from visadesk.engine import Screener, ScreeningResult
from visadesk.i18n import t
from visadesk.policy.documents import load_checklist
from visadesk.policy.model import Policy
from visadesk.report.traveller import TravellerSheet, build_sheet, render_html, render_pdf
from visadesk.report.traveller.pdf import FONT, FONT_BOLD, FONT_DIR
from visadesk.roster import read_roster
from visadesk.roster.schema import ACTIVITY_CODES

AS_OF = dt.date(2026, 11, 27)
PDFFONTS, PDFTOTEXT = shutil.which("pdffonts"), shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not (PDFFONTS and PDFTOTEXT),
    reason="poppler-utils (pdffonts, pdftotext) missing: tools/ci/ensure-services.sh",
)


@pytest.fixture(scope="module")
def screened(baseline: Policy, sample_csv: Path) -> dict[str, ScreeningResult]:
    screener = Screener(baseline, as_of=AS_OF)
    return {
        str(r.facts["worker_id"]): screener.screen(r.facts, row=r.row)
        for r in read_roster(sample_csv).rows
    }


def eligible(screened: dict[str, ScreeningResult]) -> Iterator[tuple[ScreeningResult, str]]:
    for result in screened.values():
        for cid, verdict in result.verdicts.items():
            if verdict.status.value == "eligible":
                yield result, cid


def name_of(result: ScreeningResult) -> str:
    f = result.facts
    return f"{f['family_name']} {f['given_name']} ({f['name_ko']})"


@pytest.fixture(scope="module")
def h2b_builder(baseline: Policy, screened: dict[str, ScreeningResult]) -> TravellerSheet:
    """SJ-0015: a subcontractor's construction worker travelling on H-2B."""
    result = screened["SJ-0015"]
    assert result.facts["activities"] == ("supervise_construction", "construction_work")
    return build_sheet(result, baseline, "H2B", name_of(result))


def pdf_text(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    assert PDFTOTEXT
    done = subprocess.run(  # noqa: S603 - poppler's pdftotext on a file we wrote
        [PDFTOTEXT, *args, str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


# -- may do / may not do -----------------------------------------------------------------


STATUSES = ("VWP", "B1", "E2", "L1A", "L1B", "H1B", "H2B")


@pytest.mark.parametrize("cid", STATUSES)
def test_may_and_may_not_follow_the_status_activity_treatments(
    cid: str, baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    """Per status, every activity is where the status's treatment puts it, for every
    eligible person of the sample roster."""
    cat = baseline.categories[cid]
    checklist = load_checklist(baseline)
    sheets = 0
    for result, status in eligible(screened):
        if status != cid:
            continue
        sheet = build_sheet(result, baseline, cid, "x", checklist=checklist)
        planned = result.facts["activities"]
        assert isinstance(planned, tuple)
        everything = [*sheet.may_do, *sheet.may_not_do]
        assert sorted(a.code for a in everything) == sorted(ACTIVITY_CODES)
        for a in sheet.may_do:
            allowing = cat.activities[a.code]
            assert allowing.prohibited_by is None and a.rules[0] in allowing.allowed_by
            assert a.kind == "allowed"
        for a in sheet.may_not_do:
            treatment = cat.activities.get(a.code)
            if treatment is None or treatment.prohibited_by:
                assert a.kind == "prohibited"
                expected = treatment.prohibited_by if treatment else cat.default_prohibition
                assert a.rules == (expected,)
            else:
                assert a.kind in ("conditional", "outside_job")
                assert set(a.rules) <= set(treatment.allowed_by)
        if cat.kind == "work":
            # A work status covers the job it was screened for, nothing more.
            assert [a.code for a in sheet.may_do] == list(planned)
            assert all(a.kind in ("prohibited", "outside_job") for a in sheet.may_not_do)
        else:
            assert [a.code for a in sheet.may_do if a.planned] == list(planned)
            for a in sheet.may_do:
                if not a.planned:  # on the trip's own basis, or a provision without conditions
                    provision = next(
                        p for p in baseline.categories["B1"].provisions if p.id == a.rules[0]
                    )
                    assert a.rules[0] in sheet.basis or not provision.requirements
        sheets += 1
    assert sheets, f"the sample roster has no one eligible for {cid}"


def test_an_h2b_construction_worker_is_not_told_to_manage_the_us_company(
    h2b_builder: TravellerSheet, tmp_path: Path
) -> None:
    sheet = h2b_builder
    assert [a.code for a in sheet.may_do] == ["supervise_construction", "construction_work"]
    refused = {a.code: a for a in sheet.may_not_do}
    assert refused["manage_us_entity"].kind == "outside_job"
    assert refused["professional_work"].kind == "outside_job"
    for lang in ("en", "ko"):
        html = render_html(sheet, lang)
        may_do = html[html.index('class="may-do"') : html.index('class="may-not-do"')]
        may_not = html[html.index('class="may-not-do"') : html.index('class="carry"')]
        for other in ("en", "ko"):
            assert t("activity.manage_us_entity", other) not in may_do
            assert t("activity.manage_us_entity", other) in may_not
            assert t("activity.construction_work", other) in may_do
        provision = refused["manage_us_entity"].title(lang)
        assert t("traveller.outside_job", lang, provision=provision) in html


@needs_poppler
def test_the_h2b_pdf_says_the_same(h2b_builder: TravellerSheet, tmp_path: Path) -> None:
    text = pdf_text(render_pdf(h2b_builder, "ko"), tmp_path)
    flat = re.sub(r"\s+", "", text)
    start, middle = flat.index("현장에서할수있는일"), flat.index("할수없는일")
    assert "건설·시공작업" in flat[start:middle]
    assert "미국법인경영·관리" not in flat[start:middle]
    assert "미국법인경영·관리" in flat[middle:]


# -- no notes for counsel ------------------------------------------------------------------


def counsel_notes(policy: Policy) -> set[str]:
    """Every note the rule data keeps for the desk and counsel."""
    notes = {r.verify for r in policy.rules.values() if r.verify}
    for param in policy.parameters.values():
        notes |= {v.verify for v in param.values if v.verify}
        notes |= {v.source for v in param.values}  # English source notes, not for travellers
    for cat in policy.categories.values():
        notes |= {a.note for a in cat.activities.values() if a.note}
    notes |= {i.verify for i in load_checklist(policy).items if i.verify}
    return {n for n in notes if len(n) > 12}


def test_no_note_for_counsel_reaches_the_traveller_sheet(
    baseline: Policy, screened: dict[str, ScreeningResult]
) -> None:
    notes = counsel_notes(baseline)
    assert any("verify" in n for n in notes)  # the check has something to find
    checklist = load_checklist(baseline)
    seen = set()
    for result, cid in eligible(screened):
        sheet = build_sheet(result, baseline, cid, "x", checklist=checklist)
        for lang in ("en", "ko"):
            html = render_html(sheet, lang)
            leaked = [n for n in notes if n in html]
            assert leaked == [], (result.worker_id, cid, lang)
            for marker in ("Roster proxy", "verify against", "not encoded", "확인 필요"):
                assert marker not in html, (result.worker_id, cid, marker)
            # The guidance line stays, in both languages.
            assert baseline.notice.en in html and baseline.notice.ko in html
        seen.add(cid)
    assert seen >= set(STATUSES)


@needs_poppler
@pytest.mark.parametrize("cid", STATUSES)
def test_no_note_for_counsel_in_the_pdf(
    cid: str, baseline: Policy, screened: dict[str, ScreeningResult], tmp_path: Path
) -> None:
    result = next(r for r, c in eligible(screened) if c == cid)
    sheet = build_sheet(result, baseline, cid, name_of(result))
    notes = {re.sub(r"\s+", "", n) for n in counsel_notes(baseline)}
    for lang in ("en", "ko"):
        flat = re.sub(r"\s+", "", pdf_text(render_pdf(sheet, lang), tmp_path))
        assert [n for n in notes if n in flat] == []
        assert re.sub(r"\s+", "", baseline.notice.ko) in flat  # guidance, not legal advice
        assert re.sub(r"\s+", "", baseline.notice.en) in flat


# -- the font ------------------------------------------------------------------------------


def test_the_font_ships_with_its_licence() -> None:
    for name in (FONT, FONT_BOLD):
        assert (FONT_DIR / f"{name}.ttf").stat().st_size < 2_000_000
    licence = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "NAVER" in licence


@needs_poppler
def test_pdffonts_shows_the_korean_font_embedded(
    h2b_builder: TravellerSheet, tmp_path: Path
) -> None:
    for lang in ("en", "ko"):
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(render_pdf(h2b_builder, lang))
        assert PDFFONTS
        out = subprocess.run(  # noqa: S603 - poppler's pdffonts on a file we wrote
            [PDFFONTS, str(path)], capture_output=True, text=True, check=True
        )
        rows = [line.split() for line in out.stdout.splitlines()[2:]]
        ours = [r for r in rows if re.fullmatch(r"[A-Z]{6}\+VisadeskGothic-(Regular|Bold)", r[0])]
        assert {r[0].split("+")[1] for r in ours} == {FONT, FONT_BOLD}, out.stdout
        for row in ours:
            # type TrueType, then encoding, then emb sub uni: all yes.
            assert row[1] == "TrueType" and row[3:6] == ["yes", "yes", "yes"], row
        # reportlab lists its base Helvetica in every PDF; no text is set in another font.
        assert {r[0] for r in rows} - {r[0] for r in ours} <= {"Helvetica"}


@needs_poppler
def test_pdftotext_extracts_the_korean_text(h2b_builder: TravellerSheet, tmp_path: Path) -> None:
    text = pdf_text(render_pdf(h2b_builder, "ko"), tmp_path)
    for expected in (
        t("traveller.title", "ko"),
        "전상우",
        t("traveller.may_do", "ko"),
        t("activity.construction_work", "ko"),  # with its middle dot
        h2b_builder.category_title.ko,
        t("traveller.title", "en"),
    ):
        assert re.sub(r"\s+", "", expected) in re.sub(r"\s+", "", text), expected


@needs_poppler
def test_latin_inside_korean_runs_keeps_its_width(
    h2b_builder: TravellerSheet, tmp_path: Path
) -> None:
    """ "I-94" in the Korean note is as wide as in the English one: one font, its own widths."""
    html = pdf_text(render_pdf(h2b_builder, "ko"), tmp_path, "-bbox")
    widths = [
        round(float(m["xmax"]) - float(m["xmin"]), 2)
        for m in re.finditer(
            r'<word xMin="(?P<xmin>[\d.]+)" yMin="[\d.]+" xMax="(?P<xmax>[\d.]+)" yMax="[\d.]+">'
            r"(?P<w>[^<]*I-94[^<]*)</word>",
            html,
        )
        if m["w"] == "I-94"
    ]
    assert len(widths) >= 2, html[:500]  # in the Korean note and in the English one
    assert max(widths) - min(widths) < 0.05, widths


def test_a_missing_font_file_says_what_is_missing(
    h2b_builder: TravellerSheet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visadesk.report.traveller import pdf  # noqa: PLC0415 - the module whose folder moves

    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    pdf._register_fonts.cache_clear()
    try:
        with pytest.raises(pdf.FontMissingError, match=r"VisadeskGothic-Regular\.ttf.*missing"):
            render_pdf(h2b_builder)
    finally:
        monkeypatch.undo()
        pdf._register_fonts.cache_clear()
    assert render_pdf(h2b_builder).startswith(b"%PDF")
