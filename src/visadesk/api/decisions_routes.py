"""The /api/v1 endpoints of decisions (issue #12): the refusal grounds, and what
submitting a batch does to each person (the preview the submit step shows)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from visadesk.api.deps import Caller, ReadDB
from visadesk.api.params import ERRORS, PREFIX, PathId
from visadesk.api.schemas import RefusalGroundOut, SubmitPreviewOut
from visadesk.desk import submission
from visadesk.desk.authz import require
from visadesk.i18n import t
from visadesk.policy.refusals import bundled_refusal_grounds
from visadesk.serve.request import DeskDep, Lang

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)


@router.get("/refusal-grounds", response_model=list[RefusalGroundOut], tags=["cases"])
def refusal_grounds(me: Caller, lang: Lang) -> list[dict[str, Any]]:
    """The grounds a refusal may name, with citations; ``verify`` notes are for counsel."""
    desk_reader = me.is_desk
    return [
        {
            "id": g.id,
            "label": g.label(lang),
            "citation": str(g.citation),
            "verify": g.verify if desk_reader else None,
            "requires_items": g.requires_items,
            "sub_grounds": [
                {
                    "id": s.id,
                    "label": s.label(lang),
                    "citation": str(s.citation),
                    "verify": s.verify if desk_reader else None,
                }
                for s in g.sub_grounds
            ],
        }
        for g in bundled_refusal_grounds().grounds
    ]


@router.get("/batches/{batch_id}/submit", response_model=SubmitPreviewOut, tags=["batches"])
def submit_preview(
    batch_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang
) -> dict[str, Any]:
    """What submitting the batch does to each person: ``case`` (sent for its category),
    ``covered`` (no desk case: ESTA covers the trip), ``decide`` (the sponsor includes or
    holds back: ``POST .../submit`` with ``amber``/``decisions``), ``not_filed``."""
    require(me, "batch.submit")
    shown = submission.preview(db, me, batch_id, desk.policy)
    return {
        "batch_id": shown.batch_id,
        "counts": shown.counts,
        "rows": [
            {**r.as_json(), "explanation": submission.explain(r, desk.policy, lang)}
            for r in shown.rows
        ],
        "notice": t("decisions.guidance", lang),
    }
