"""Request and response bodies of the API (pydantic), so /openapi.json describes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from visadesk.desk.workflow import Role
from visadesk.i18n import t
from visadesk.safetext import codepoint, control_character

#: The largest row id (the id columns are 32-bit integers on every database).
MAX_ID: Final = 2**31 - 1
#: A row id given in a request body.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

Sector = Literal[
    "shipbuilding",
    "energy",
    "batteries",
    "semiconductors",
    "pharmaceuticals",
    "critical_minerals",
    "ai_quantum",
    "other",
]


#: Body fields whose text may span lines: tab and line breaks are allowed there.
MULTILINE_FIELDS: Final = frozenset({"comment"})


def _refuse_controls(value: str, *, multiline: bool) -> str:
    found = control_character(value, multiline=multiline)
    if found is not None:
        # The 422 handlers render this error type in the reader's language, naming the field.
        raise PydanticCustomError(
            "control_character",
            "contains a control character ({char}) at position {position}",
            {"char": codepoint(found[1]), "position": found[0]},
        )
    return value


def single_line(value: str) -> str:
    """``value``, or a ``control_character`` validation error (no tab or line break either)."""
    return _refuse_controls(value, multiline=False)


def multi_line(value: str) -> str:
    """``value``, or a ``control_character`` validation error (tab and line breaks allowed)."""
    return _refuse_controls(value, multiline=True)


def control_problem(error: Mapping[str, Any], lang: str) -> str | None:
    """A ``control_character`` validation error in words, naming its field; else ``None``."""
    if error.get("type") != "control_character":
        return None
    location = [str(x) for x in error.get("loc", ()) if not isinstance(x, int)]
    field = location[-1] if location else "?"
    return t("safety.control_character", lang, field=field, **error.get("ctx", {}))


#: Markers for ``Annotated`` text fields (API bodies and web forms).
SINGLE_LINE: Final = AfterValidator(single_line)
MULTI_LINE: Final = AfterValidator(multi_line)


class Strict(BaseModel):
    """A request body: no unknown keys, no NUL or control character in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            return _refuse_controls(value, multiline=info.field_name in MULTILINE_FIELDS)
        return value


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorOut(BaseModel):
    error: ErrorBody


class TokenIn(Strict):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: dt.datetime


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    org_id: int
    org_name: str
    org_kind: str
    lang: str
    permissions: list[str]


class OrgIn(Strict):
    kind: Literal["desk", "sponsor", "subcontractor"]
    name: str = Field(min_length=1, max_length=200)
    name_ko: str | None = Field(default=None, max_length=200)
    sponsor_id: RowId | None = None


class OrgOut(BaseModel):
    id: int
    kind: str
    name: str
    name_ko: str | None


class UserIn(Strict):
    org_id: RowId
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=10, max_length=200)
    lang: Literal["en", "ko"] = "en"


class UserOut(BaseModel):
    id: int
    org_id: int
    email: str
    name: str
    role: str
    lang: str
    active: bool


class ProjectIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    worksite: str = Field(min_length=1, max_length=300)
    state: str = Field(min_length=2, max_length=2)
    sector: Sector
    investment_usd: int | None = Field(default=None, ge=0, le=10**13)
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ProjectOut(BaseModel):
    id: int
    sponsor_id: int
    name: str
    worksite: str
    state: str
    sector: str
    investment_usd: int | None
    start_date: dt.date | None
    end_date: dt.date | None


class BatchIn(Strict):
    project_id: RowId
    name: str = Field(min_length=1, max_length=200)


class BatchOut(BaseModel):
    id: int
    sponsor_id: int
    project_id: int
    name: str
    state: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    members: list[int] = []


class InviteIn(Strict):
    org_id: RowId


class UploadOut(BaseModel):
    batch_id: int
    rows: int
    created: int
    updated: int
    unchanged: int
    cases: int
    engine: str
    statuses: dict[str, dict[str, int]]
    no_case: list[str]


class SubmitOut(BaseModel):
    batch_id: int
    submitted: int


class PersonOut(BaseModel):
    id: int
    worker_id: str
    family_name: str
    given_name: str
    name_ko: str | None
    nationality: str | None
    passport_number: str | None = Field(description="masked")
    birth_date: str | None = Field(description="masked")


class TripOut(BaseModel):
    id: int
    batch_id: int
    org_id: int
    worker_id: str
    trip_start: dt.date
    trip_end: dt.date
    person: PersonOut
    case_id: int | None
    recommended: str | None
    statuses: dict[str, str]
    policy_version: str | None


class TripDetailOut(TripOut):
    facts: dict[str, Any]
    screening: dict[str, Any] | None


class OpenCaseIn(Strict):
    category: str = Field(min_length=1, max_length=16)


class CaseOut(BaseModel):
    id: int
    trip_id: int
    batch_id: int
    org_id: int
    sponsor_id: int
    project_id: int
    sector: str
    category: str
    state: str
    trip_start: dt.date
    ready_by: dt.date | None
    urgency_date: dt.date
    interview_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision: str | None
    submitted_at: dt.datetime | None
    version: int
    worker_id: str
    name: str


class EventOut(BaseModel):
    id: int
    from_state: str | None
    to_state: str
    actor_id: int
    at: dt.datetime
    comment: str


class CaseDetailOut(CaseOut):
    next_states: list[str]
    events: list[EventOut]
    annotation: dict[str, str] | None
    screening: dict[str, Any] | None


class TransitionIn(Strict):
    to: str = Field(min_length=1, max_length=32)
    comment: str = Field(default="", max_length=2000)
    interview_at: dt.datetime | None = None
    version: int | None = None


class QueueOut(BaseModel):
    items: list[CaseOut]
    total: int
    page: int
    per_page: int


class ChecklistItemOut(BaseModel):
    id: str
    title: str
    description: str
    required: bool
    carry_at_port: bool
    citation: str | None
    verify: str | None
    uploads: list[int]
    accepted: bool


class DocumentOut(BaseModel):
    id: int
    case_id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    status: str
    uploaded_at: dt.datetime
    reviewed_at: dt.datetime | None
    review_comment: str


class ReviewIn(Strict):
    status: Literal["accepted", "rejected"]
    comment: str = Field(default="", max_length=2000)


class AnnotationOut(BaseModel):
    case_id: int
    en: str
    ko: str


class AuditOut(BaseModel):
    checked: int
    problems: list[str]
    #: Entries hashed with an audit key, and legacy ones (plain SHA-256, before keying).
    keyed: int = 0
    legacy: int = 0
    #: Key id -> entries made under it (key ids only: never a key).
    by_key: dict[str, int] = Field(default_factory=dict)


class CheckpointOut(BaseModel):
    """The chain's head, signed with the newest audit key: keep it outside the database."""

    format: str
    version: int
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str
