"""Re-screening stored trips under a rule set: what changed, recorded and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require
from visadesk.desk.locking import locked
from visadesk.desk.models import Trip
from visadesk.desk.screenings import facts_of, record_screening
from visadesk.engine import Screener
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer

__all__ = ["rescreen"]


def rescreen(
    session: Session,
    actor: Principal | None,
    policy: Policy,
    as_of: dt.date,
    *,
    batch_id: int | None = None,
) -> list[dict[str, Any]]:
    """Screen stored trips again under ``policy``; record and return what changed."""
    if actor is not None:
        require(actor, "policy.rescreen")
    # Locked (in id order, as every writer of trips takes them): an upload changing a
    # trip meanwhile waits, instead of both recording a screening for it.
    stmt = locked(select(Trip).order_by(Trip.id), Trip)
    if batch_id is not None:
        stmt = stmt.where(Trip.batch_id == batch_id)
    screener = Screener(policy, as_of=as_of)
    renderer = ResultRenderer(policy, as_of, "en")
    changes = []
    for trip in session.scalars(stmt):
        before = trip.screening
        result = screener.screen(facts_of(trip), row=trip.source_row)
        after = record_screening(session, trip, result, renderer)
        old = before.statuses if before else {}
        if before is None or after.statuses != old or after.recommended != before.recommended:
            changes.append(
                {
                    "trip_id": trip.id,
                    "worker_id": trip.worker_id,
                    "before": {
                        "policy": before.policy_version if before else None,
                        "statuses": old,
                        "recommended": before.recommended if before else None,
                    },
                    "after": {
                        "policy": after.policy_version,
                        "statuses": after.statuses,
                        "recommended": after.recommended,
                    },
                }
            )
    audit.record(session, actor, "policy.rescreen", "policy", policy.version, changed=len(changes))
    return changes
