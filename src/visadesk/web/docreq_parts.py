"""What the case page shows of document requests (its ``partials/docrequest.html``).

Kept apart from :mod:`visadesk.web.docreq` (the request form's handler, the to-do
and notification pages), which shows the case page again through
:mod:`visadesk.web.casework` when a form is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from visadesk.desk import docrequests
from visadesk.desk.authz import Principal
from visadesk.desk.models import Case
from visadesk.desk.requesting import REQUEST_STATES
from visadesk.policy.documents import Checklist

__all__ = ["case_parts"]


def case_parts(
    session: Session,
    user: Principal,
    case: Case,
    checklist: Checklist,
    items: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The case's open request (``docreq``), whether the reader may ask for documents
    (``can_request``) and the items they may tick (``request_choices``), and the
    request's free-text items to upload against (``request_extras``)."""
    view = docrequests.request_view(session, case, checklist)
    requested = {i.kind for i in view.items} if view else set()
    return {
        "docreq": view,
        "can_request": user.can("document.review") and case.state in REQUEST_STATES,
        "request_choices": [
            {
                "id": i["id"],
                "title": i["title"],
                "required": i["required"],
                "requested": i["id"] in requested,
                "accepted": i["accepted"],
            }
            for i in items
        ],
        "request_extras": [(i.kind, i.title_en) for i in view.items if i.extra] if view else [],
    }
