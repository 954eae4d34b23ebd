"""The dashboard, the downloads and the traveller sheet pages of the web app.

- ``GET /dashboard``: the case figures the reader may see (stacked bars of
  cases by sector and category, decisions per month, processing days, the
  open backlog), with filters, and the batches whose screening workbook the
  reader may download;
- ``GET /batches/{id}/screening.xlsx``: the batch's trips the reader may see,
  screened again today, as the CLI's workbook (same sheets, reasons in English
  and Korean, the notice);
- ``GET /cases/{id}/annotation.txt``: the B-1 annotation, English and Korean,
  once the case is approved;
- ``GET /cases/{id}/traveller`` and ``/cases/{id}/traveller.pdf``: the
  bilingual one-page traveller sheet (:mod:`visadesk.report.traveller`).

One module a page family (:mod:`.dashboard`, :mod:`.downloads`, :mod:`.sheet`);
:data:`router` holds all their routes. Every read goes through the desk's
tenant scopes (``scope_*``, ``get_case``, ``get_batch``): another tenant's id
is a 404, exactly like an id that does not exist. Nothing here shows a
passport number or a birth date.
"""

from __future__ import annotations

from fastapi import APIRouter

from visadesk.web.reports import dashboard, downloads, sheet

__all__ = ["router"]

router = APIRouter()
router.include_router(dashboard.router)
router.include_router(downloads.router)
router.include_router(sheet.router)
