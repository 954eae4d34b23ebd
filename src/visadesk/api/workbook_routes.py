"""``GET /api/v1/batches/{id}/screening.xlsx``: the batch's screening workbook, the same
desk operation as the web download (:func:`visadesk.desk.workbooks.screening_workbook`)."""

from __future__ import annotations

from typing import Final, Literal

from fastapi import APIRouter, Response

from visadesk.api.deps import Caller, ReadDB
from visadesk.api.params import ERRORS, PREFIX, PathId
from visadesk.desk import workbooks
from visadesk.serve.request import DeskDep, Lang

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/batches/{batch_id}/screening.xlsx",
    tags=["batches"],
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def screening_workbook(
    batch_id: PathId,
    me: Caller,
    db: ReadDB,
    desk: DeskDep,
    lang: Lang,
    layout: Literal["readable", "codes"] = "readable",
) -> Response:
    """The batch's trips the caller may see, screened again today, as a workbook in the
    request's language (``?lang=`` or Accept-Language): a traffic light, both names,
    verdicts, reasons, a summary and a legend of the rules cited. ``layout=codes``
    gives the CSV's code headers. Guidance, not legal advice."""
    data = workbooks.screening_workbook(
        db, me, batch_id, policy=desk.policy, today=desk.today(), lang=lang, layout=layout
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-screening.xlsx"'},
    )
