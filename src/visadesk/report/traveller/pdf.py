"""The traveller sheet as a one-page A4 PDF, laid out with reportlab.

Every word is set in Visadesk Gothic, a subset of NanumGothic (SIL Open Font
License 1.1, ``fonts/OFL.txt``) that ships with the package: Hangul syllables,
Latin and punctuation in one family, embedded (subset) in the PDF, so any
viewer shows the sheet as it was laid out, Latin inside Korean runs included.
The font shrinks step by step until the sheet fits one page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from visadesk.i18n import t
from visadesk.policy.model import Text
from visadesk.report.traveller.activities import ActivityGroup, SheetActivity, group_activities
from visadesk.report.traveller.sheet import TravellerSheet, languages

__all__ = ["FONT", "FONT_BOLD", "FONT_DIR", "FontMissingError", "render_pdf"]

#: The embedded font family (regular and bold), shipped in :data:`FONT_DIR`.
FONT: Final = "VisadeskGothic-Regular"
FONT_BOLD: Final = "VisadeskGothic-Bold"
FONT_DIR: Final = Path(__file__).with_name("fonts")


class FontMissingError(RuntimeError):
    """The PDF font files are not where the package put them (a broken installation)."""


@cache
def _register_fonts() -> None:
    for name in (FONT, FONT_BOLD):
        path = FONT_DIR / f"{name}.ttf"
        if not path.is_file():
            raise FontMissingError(
                f"The traveller PDF needs its Korean font {path}, which is missing: "
                "reinstall visadesk, or rebuild it with tools/fonts/build-korean-font.sh "
                "(from Debian's fonts-nanum)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))


class _Pdf:
    """Builds the flowables of one sheet at one font size."""

    def __init__(self, sheet: TravellerSheet, langs: tuple[str, ...], size: float) -> None:
        self.sheet = sheet
        self.langs = langs
        self.size = size
        self.width = A4[0] - 24 * mm

    def style(
        self, *, bold: bool = False, scale: float = 1.0, grey: bool = False
    ) -> ParagraphStyle:
        size = self.size * scale
        return ParagraphStyle(
            "sheet",
            fontName=FONT_BOLD if bold else FONT,
            fontSize=size,
            leading=size * 1.25,
            alignment=TA_LEFT,
            textColor=colors.HexColor("#555555") if grey else colors.black,
        )

    def para(self, text: str, **kw: Any) -> Paragraph:
        return Paragraph(escape(text), self.style(**kw))

    def both(self, key: str, **params: object) -> list[Flowable]:
        """One catalog message in each language, the first language first."""
        return [self.para(t(key, lang, **params), grey=i > 0) for i, lang in enumerate(self.langs)]

    def text2(self, text: Text) -> list[Flowable]:
        return [self.para(text.get(lang), grey=i > 0) for i, lang in enumerate(self.langs)]

    def heading(self, key: str) -> Table:
        cells = [
            self.para(t(key, lang), bold=True, scale=1.2, grey=i > 0)
            for i, lang in enumerate(self.langs)
        ]
        table = Table([cells], colWidths=[self.width / 2] * 2)
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def grid(self, rows: list[list[Any]], widths: Sequence[float]) -> Table:
        table = Table(rows, colWidths=[w * self.width for w in widths])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ]
            )
        )
        return table

    def group_cell(self, g: ActivityGroup, lang: str, grey: bool) -> list[Flowable]:
        if g.kind in ("conditional", "outside_job"):
            head = t(f"traveller.{g.kind}", lang, provision=g.title(lang))
        else:
            head = g.title(lang)
        names = []
        for a in g.activities:
            name = t(f"activity.{a.code}", lang)
            if a.planned:
                name += f" ({t('traveller.planned', lang)})"
            names.append(name)
        return [self.para(head, bold=True, grey=grey), self.para("; ".join(names), grey=grey)]

    def activities(self, items: Sequence[SheetActivity]) -> list[list[Any]]:
        return [
            [
                *(self.group_cell(g, lang, i > 0) for i, lang in enumerate(self.langs)),
                self.para(g.citation, scale=0.9),
            ]
            for g in group_activities(items)
        ]

    def flowables(self) -> list[Flowable]:
        s, langs = self.sheet, self.langs
        out: list[Flowable] = []
        title = [
            self.para(t("traveller.title", lang), bold=True, scale=1.8, grey=i > 0)
            for i, lang in enumerate(langs)
        ]
        out.append(self.grid([title], (0.5, 0.5)))
        out.extend(self.both("traveller.rules_as_of", version=s.policy_version, as_of=s.as_of))
        out.append(Spacer(1, 2 * mm))

        def label(key: str) -> list[Flowable]:
            return [self.para(t(key, lang), bold=True, grey=i > 0) for i, lang in enumerate(langs)]

        status = [
            self.para(
                f"{s.category_title.get(lang)} ({t(f'status.{s.status}', lang)})",
                bold=i == 0,
                grey=i > 0,
            )
            for i, lang in enumerate(langs)
        ]
        basis = [
            self.para(b.get(lang), grey=i > 0)
            for b in s.basis_titles
            for i, lang in enumerate(langs)
        ]
        if s.basis_text:
            basis.append(self.para(s.basis_text, scale=0.9))
        trip = self.both(
            "traveller.trip_dates", start=s.trip_start, end=s.trip_end, days=s.trip_days
        )
        last = [self.para(s.last_day.isoformat(), bold=True, scale=1.4)]
        last += self.both("traveller.last_day_note", days=s.admission_days, start=s.trip_start)
        if s.ends_after_last_day:
            key = "traveller.beyond_extendable" if s.extendable else "traveller.beyond_final"
            last += self.both(key)
        facts: list[list[Any]] = [
            [label("traveller.name"), self.para(f"{s.name}  ({s.worker_id})", bold=True)],
            [label("traveller.employer"), self.para(s.employer or "-")],
            [label("traveller.project"), self.para(s.project or "-")],
            [label("traveller.worksite"), self.para(s.worksite or "-")],
            [label("traveller.status"), status],
            [label("traveller.basis"), basis],
            [label("traveller.trip"), trip],
            [label("traveller.last_day"), last],
        ]
        out.append(self.grid(facts, (0.25, 0.75)))

        out.append(self.heading("traveller.may_do"))
        out.append(self.grid(self.activities(s.may_do), (0.4, 0.4, 0.2)))
        out.append(self.heading("traveller.may_not_do"))
        rows = self.activities(s.may_not_do)
        rows.append(
            [
                *(
                    [
                        self.para(
                            t("traveller.anything_else", lang, rule=s.default_title.get(lang)),
                            grey=i > 0,
                        )
                    ]
                    for i, lang in enumerate(langs)
                ),
                self.para(s.default_citation, scale=0.9),
            ]
        )
        out.append(self.grid(rows, (0.4, 0.4, 0.2)))

        out.append(self.heading("traveller.carry"))
        if s.carry:
            docs = []
            for d in s.carry:
                cells: list[Any] = []
                for i, lang in enumerate(langs):
                    mark = t("documents.required" if d.required else "documents.optional", lang)
                    cells.append(
                        [
                            self.para(f"{d.title.get(lang)} ({mark})", bold=True, grey=i > 0),
                            self.para(d.description.get(lang), scale=0.9, grey=i > 0),
                        ]
                    )
                source = d.citation or " / ".join(
                    t("traveller.desk_procedure", lang) for lang in langs
                )
                cells.append(self.para(source, scale=0.9))
                docs.append(cells)
            out.append(self.grid(docs, (0.4, 0.4, 0.2)))
        else:
            out.extend(self.both("traveller.no_documents"))

        if s.annotation is not None:
            out.append(self.heading("traveller.annotation"))
            out.extend(self.text2(s.annotation))
        out.append(self.heading("traveller.notice"))
        out.extend(self.text2(s.notice))
        return out


def _pdf_bytes(sheet: TravellerSheet, langs: tuple[str, ...], size: float) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"{t('traveller.title', langs[0])} - {sheet.name}",
        author="visadesk",
        invariant=1,
    )
    # Start each page in the embedded font, so the PDF names no font it does not embed.
    canvas = partial(Canvas, initialFontName=FONT)
    doc.build(_Pdf(sheet, langs, size).flowables(), canvasmaker=canvas)
    return buffer.getvalue(), doc.page


def render_pdf(sheet: TravellerSheet, lang: str = "en") -> bytes:
    """The sheet as a one-page A4 PDF (``lang`` first, the other alongside); deterministic.

    The font shrinks step by step until the sheet fits one page; a sheet too
    long even at the smallest size runs onto a second page rather than lose text.
    """
    _register_fonts()
    langs = languages(lang)
    data = b""
    for size in (8.5, 8.0, 7.5, 7.0, 6.5, 6.0):
        data, pages = _pdf_bytes(sheet, langs, size)
        if pages <= 1:
            break
    return data
