"""The screening workbook people read (issue #12 section 6), opened with openpyxl: headers,
statuses, flags and reasons in the reader's language, a traffic light with conditional
colour and a word, both names, autofilter and frozen header, a legend of the rules cited;
the code-header layout and the CSV unchanged."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from visadesk.engine import Screener, ScreeningResult
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report.tables import result_rows, write_csv, write_xlsx
from visadesk.report.workbook import fact_label, light_of, rules_cited
from visadesk.roster import read_roster

AS_OF = dt.date(2026, 11, 27)
CODE_HEADERS = ("worker_id", "family_name", "status_VWP", "reasons_en", "reasons_ko", "notice")


@pytest.fixture(scope="module")
def results(baseline: Policy, sample_csv: Path) -> list[ScreeningResult]:
    screener = Screener(baseline, as_of=AS_OF)
    return [screener.screen(r.facts, row=r.row) for r in read_roster(sample_csv).rows]


@pytest.fixture(scope="module")
def books(
    baseline: Policy, results: list[ScreeningResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbooks")
    paths = {}
    for lang in ("en", "ko"):
        paths[lang] = folder / f"{lang}.xlsx"
        write_xlsx(paths[lang], results, baseline, lang)
    paths["codes"] = folder / "codes.xlsx"
    write_xlsx(paths["codes"], results, baseline, "ko", layout="codes")
    return paths


def screening(path: Path) -> tuple[Worksheet, list[str], dict[str, dict[str, object]]]:
    sheet = load_workbook(path).worksheets[0]
    assert isinstance(sheet, Worksheet)
    head = [str(c.value) for c in sheet[1]]
    rows: dict[str, dict[str, object]] = {}
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row: dict[str, object] = dict(zip(head, values, strict=True))
        rows[str(row[head[1]])] = row
    return sheet, head, rows


def col(key: str, lang: str, **params: object) -> str:
    return t(f"workbook.col.{key}", lang, **params)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_headers_are_in_the_reader_language(lang: str, books: dict[str, Path]) -> None:
    sheet, head, _ = screening(books[lang])
    assert sheet.title == t("report.sheet.screening", lang)
    expected = [col(k, lang) for k in ("light", "worker_id", "name_en", "name_ko")]
    assert head[:4] == expected
    for cid in ("VWP", "B1", "E2", "L1A", "L1B", "H1B", "H2B"):
        assert col("status", lang, category=cid) in head
    assert {col(k, lang) for k in ("flags", "missing", "reasons", "recommended")} <= set(head)
    assert not set(CODE_HEADERS) & set(head)  # no internal column names
    if lang == "ko":
        assert head[:4] == ["신호등", "사번", "영문 성명", "한글 성명"]
        assert "VWP 판정" in head


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_statuses_flags_and_reasons_are_in_the_reader_language(
    lang: str, books: dict[str, Path], results: list[ScreeningResult], baseline: Policy
) -> None:
    _, _, rows = screening(books[lang])
    words = {t(f"status.{s}", lang) for s in ("eligible", "needs_info", "ineligible")}
    by_id = {r.worker_id: r for r in results}
    for worker, row in rows.items():
        result = by_id[worker]
        for cid, verdict in result.verdicts.items():
            cell = row[col("status", lang, category=cid)]
            assert cell in words and cell == t(f"status.{verdict.status.value}", lang)
        flags = str(row[col("flags", lang)] or "")
        for f in result.flags:
            message = baseline.format(baseline.rule(f.code).message, lang, AS_OF)
            assert message in flags
            assert f.code not in flags  # the message, not the code
        missing = str(row[col("missing", lang)] or "")
        for fact in result.missing:
            assert fact_label(fact, lang) in missing
        reasons = str(row[col("reasons", lang)])
        for cid, verdict in result.verdicts.items():
            assert f"{cid} {t(f'status.{verdict.status.value}', lang)}:" in reasons
    korean = rows["DS-0003"][col("reasons", "ko")] if lang == "ko" else None
    if korean is not None:
        assert "적격" in str(korean) and "eligible" not in str(korean)


def test_a_missing_fact_reads_as_the_korean_roster_header(
    books: dict[str, Path], results: list[ScreeningResult]
) -> None:
    _, _, rows = screening(books["ko"])
    person = next(r for r in results if r.missing)
    cell = str(rows[person.worker_id][col("missing", "ko")])
    assert person.missing[0] not in cell.split("; ")  # not the column code ...
    assert fact_label(person.missing[0], "ko") in cell  # ... its Korean header


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_both_names(lang: str, books: dict[str, Path]) -> None:
    _, _, rows = screening(books[lang])
    row = rows["HB-0001"]
    assert row[col("name_en", lang)] == "KIM JAEHYUN"
    assert row[col("name_ko", lang)] == "김재현"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_traffic_light_is_a_word_with_a_conditional_colour(
    lang: str, books: dict[str, Path], results: list[ScreeningResult]
) -> None:
    sheet, head, rows = screening(books[lang])
    light = col("light", lang)
    by_id = {r.worker_id: r for r in results}
    for worker, row in rows.items():
        assert row[light] == t(f"workbook.light.{light_of(by_id[worker])}", lang)
    seen = {row[light] for row in rows.values()}
    assert len(seen) >= 2  # the sample has more than one light
    # Conditional formatting on column A: one rule per light, matching its word, with a fill.
    rules = {}
    for formatting in sheet.conditional_formatting:
        if str(formatting.sqref) == f"A2:A{sheet.max_row}":
            for rule in formatting.rules:
                assert rule.type == "cellIs" and rule.operator == "equal"
                rules[rule.formula[0].strip('"')] = rule.dxf.fill.fgColor.rgb
    words = {t(f"workbook.light.{x}", lang): x for x in ("green", "amber", "red")}
    assert set(rules) == set(words)
    assert rules[t("workbook.light.green", lang)].endswith("C6EFCE")
    assert rules[t("workbook.light.red", lang)].endswith("FFC7CE")
    # The status columns are coloured the same way.
    status_col = head.index(col("status", lang, category="B1")) + 1
    letter = get_column_letter(status_col)
    assert any(
        str(f.sqref) == f"{letter}2:{letter}{sheet.max_row}" for f in sheet.conditional_formatting
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_frozen_header_and_autofilter(lang: str, books: dict[str, Path]) -> None:
    sheet, head, _ = screening(books[lang])
    assert sheet.freeze_panes == "E2"  # header row; light, id and both names
    last = get_column_letter(len(head))
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    assert sheet.print_title_rows == "$1:$1"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_legend_lists_every_rule_cited_with_its_citation(
    lang: str, books: dict[str, Path], results: list[ScreeningResult], baseline: Policy
) -> None:
    book = load_workbook(books[lang])
    assert book.sheetnames == [
        t("report.sheet.screening", lang),
        t("report.sheet.summary", lang),
        t("workbook.sheet.legend", lang),
    ]
    legend = book.worksheets[2]
    head = [c.value for c in legend[1]]
    keys = ("rule", "citation", "title", "text", "source")
    assert head == [t(f"workbook.legend.{k}", lang) for k in keys]
    assert legend.freeze_panes == "A2" and legend.auto_filter.ref
    table = {}
    for values in legend.iter_rows(min_row=2, values_only=True):
        if not values[0]:
            break
        table[values[0]] = values
    cited = rules_cited(results)
    assert list(table) == cited and len(cited) > 30
    for rule_id, (_, citation, title, text, url) in table.items():
        rule = baseline.rule(str(rule_id))
        assert citation == str(rule.citation) and citation
        assert title == rule.title.get(lang)
        assert text == baseline.format(rule.message, lang, AS_OF)
        assert (url or None) == rule.citation.url
    # Every rule a reason names is in the legend.
    _, _, rows = screening(books[lang])
    reasons = "\n".join(str(r[col("reasons", lang)]) for r in rows.values())
    for rule_id in cited:
        if rule_id in reasons:
            assert rule_id in table
    assert table["B1.construction_excluded"][1] == "8 CFR 214.2(b)(5)"
    if lang == "ko":
        assert table["B1.construction_excluded"][2] == "건설·시공 작업은 B-1 불가"
    # What each light means, and the notice.
    cells = [str(c) for row in legend.iter_rows(values_only=True) for c in row if c]
    for x in ("green", "amber", "red"):
        assert t(f"workbook.light_means.{x}", lang) in cells
    assert baseline.notice.get(lang) in cells


def test_the_summary_keeps_the_notice_in_both_languages(
    books: dict[str, Path], baseline: Policy
) -> None:
    summary = load_workbook(books["ko"]).worksheets[1]
    assert summary["A1"].value == baseline.notice.en
    assert summary["A2"].value == baseline.notice.ko
    cells = {str(c) for row in summary.iter_rows(values_only=True) for c in row if c}
    assert baseline.categories["B1"].title.ko in cells
    assert t("workbook.col.category", "ko") in cells


def test_the_code_layout_is_the_csv_columns(
    books: dict[str, Path], results: list[ScreeningResult], baseline: Policy, tmp_path: Path
) -> None:
    book = load_workbook(books["codes"])
    assert book.sheetnames == [t("report.sheet.screening", "ko"), t("report.sheet.summary", "ko")]
    head = [c.value for c in book.worksheets[0][1]]
    assert head == list(result_rows(results, baseline)[0])
    # The CSV contract is unchanged by the readable workbook: code headers and values.
    path = tmp_path / "out.csv"
    write_csv(path, results, baseline, "ko")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == head
    assert {r["status_B1"] for r in rows} <= {"eligible", "needs_info", "ineligible"}


def test_an_empty_workbook_still_opens(baseline: Policy, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write_xlsx(path, [], baseline, "ko")
    book = load_workbook(path)
    assert [c.value for c in book.worksheets[0][1]][:2] == ["신호등", "사번"]
    assert book.worksheets[1]["A1"].value == baseline.notice.en
