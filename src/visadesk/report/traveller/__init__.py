"""The traveller sheet: one printable page a traveller carries, in English and Korean.

:func:`build_sheet` turns one :class:`~visadesk.engine.result.ScreeningResult`
into a :class:`TravellerSheet` for the status the person travels on: the status
and the provisions it rests on, the trip dates and the last day the rules
allow, what the person may and may not do on site, the documents to carry at
the port of entry (from ``rules/baseline/documents.yaml``), the B-1 annotation
and the notice that this is guidance, not legal advice. Everything legal comes
from the policy; every other word a reader sees comes from the message
catalogs (``locales/*/documents.po``).

:func:`render_html` prints it with a Jinja2 template (A4, ``@media print``);
:func:`render_pdf` with reportlab, using reportlab's built-in Korean CID font
so Korean renders without shipping font files. Both are bilingual: the chosen
language first, the other alongside, because border officers read English and
the traveller reads Korean.

The package: :mod:`.sheet` builds the sheet, :mod:`.activities` decides what
the person may do, :mod:`.html` and :mod:`.pdf` render it. This module is its
public face (``from visadesk.report.traveller import build_sheet, render_pdf``).
"""

from __future__ import annotations

from visadesk.report.traveller.activities import ActivityGroup, SheetActivity, group_activities
from visadesk.report.traveller.html import render_html
from visadesk.report.traveller.pdf import render_pdf
from visadesk.report.traveller.sheet import SheetDocument, SheetError, TravellerSheet, build_sheet

__all__ = [
    "ActivityGroup",
    "SheetActivity",
    "SheetDocument",
    "SheetError",
    "TravellerSheet",
    "build_sheet",
    "group_activities",
    "render_html",
    "render_pdf",
]
