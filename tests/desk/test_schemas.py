"""The API's bodies take the domain's own names: a sector, role, organization kind,
language or review the domain knows is one the API accepts, and no other.

The API once listed the sectors by hand and missed ``automotive``, which the roster,
the web form and the demo accept; the bodies now type those fields by the domain's
``Literal`` and these tests hold them to it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from tests.desk.fixtures import World
from visadesk.api.schemas import OrgIn, ProjectIn, ReviewIn, UserIn
from visadesk.desk.authz import ORG_KINDS
from visadesk.desk.documents import REVIEWS
from visadesk.desk.workflow import ROLES
from visadesk.i18n import LANGUAGES
from visadesk.roster.schema import SECTORS


@pytest.mark.parametrize(
    ("body", "field", "names"),
    [
        (ProjectIn, "sector", SECTORS),
        (UserIn, "role", ROLES),
        (UserIn, "lang", LANGUAGES),
        (OrgIn, "kind", ORG_KINDS),
        (ReviewIn, "status", REVIEWS),
    ],
)
def test_a_body_field_lists_the_domain_names_in_openapi(
    body: type[BaseModel], field: str, names: tuple[str, ...]
) -> None:
    schema: dict[str, Any] = body.model_json_schema()
    assert schema["properties"][field]["enum"] == list(names)


@pytest.mark.parametrize("sector", SECTORS)
def test_every_roster_sector_is_a_valid_project_body(sector: str) -> None:
    body = ProjectIn.model_validate(
        {"name": "P", "worksite": "Savannah, GA", "state": "GA", "sector": sector}
    )
    assert body.sector == sector


def test_a_sector_the_roster_does_not_know_is_refused() -> None:
    with pytest.raises(ValidationError):
        ProjectIn.model_validate(
            {"name": "P", "worksite": "Savannah, GA", "state": "GA", "sector": "fishing"}
        )


def test_the_api_creates_a_project_in_every_roster_sector(client: TestClient, world: World) -> None:
    admin = world.auth("hanbit_admin")
    for sector in SECTORS:
        body = {"name": f"In {sector}", "worksite": "Savannah, GA", "state": "GA", "sector": sector}
        r = client.post("/api/v1/projects", json=body, headers=admin)
        assert r.status_code == 201, (sector, r.text)
        assert r.json()["sector"] == sector
