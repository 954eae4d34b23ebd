"""Request and response bodies of the API (pydantic), so /openapi.json describes them.

A field that takes one of a domain's names (sector, role, organization kind,
language, review) is typed by the domain's own ``Literal``, never a copy of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from visadesk.desk.authz import OrgKind
from visadesk.desk.documents import Review
from visadesk.desk.inputs import MAX_ID, refuse_controls
from visadesk.desk.workflow import Role
from visadesk.i18n import Language
from visadesk.roster.schema import Sector

#: A row id given in a request body.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

#: Body fields whose text may span lines: tab and line breaks are allowed there.
MULTILINE_FIELDS: Final = frozenset({"comment", "note"})


class Strict(BaseModel):
    """A request body: no unknown keys, no NUL or control character in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            return refuse_controls(value, multiline=info.field_name in MULTILINE_FIELDS)
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
    kind: OrgKind
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
    lang: Language = "en"


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


class RefusedRowOut(BaseModel):
    row: int | None
    column: str
    value: str = Field(description="masked where sensitive (passport number)")
    code: str = Field(
        description="employer_not_in_batch | employer_not_filer | sponsor_not_batch | "
        "open_case | open_case_elsewhere | open_trip | same_person_in_roster"
    )
    case_id: int | None = Field(description="the existing open case, when the caller may see it")
    worker_id: str = Field("", description="the row's worker id")
    message: str


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
    refused: int = Field(0, description="rows left out (skip_refused)")
    refused_rows: list[RefusedRowOut] = Field(
        default_factory=list, description="one entry per refused cell, in row order"
    )


class SubmitOut(BaseModel):
    batch_id: int
    submitted: int
    included: int = 0
    held: int = 0


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


class QuestionChoiceOut(BaseModel):
    value: str
    label: str


class QuestionOut(BaseModel):
    """A missing fact asked in plain words, with the answers the roster contract allows."""

    fact: str
    question: str
    kind: str
    choices: list[QuestionChoiceOut]
    hint: str
    minimum: float | None
    maximum: float | None
    categories: list[str]


class TripDetailOut(TripOut):
    facts: dict[str, Any]
    screening: dict[str, Any] | None
    questions: list[QuestionOut] = []


class AnswersIn(Strict):
    """Answers to missing facts: roster column name -> value (as a roster cell: text,
    number, true/false or a date ``YYYY-MM-DD``); each is checked as a roster cell is,
    control characters included."""

    answers: dict[
        Annotated[str, Field(min_length=1, max_length=64)],
        Annotated[str, Field(max_length=200)] | bool | int | float | None,
    ] = Field(min_length=1, max_length=60)


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
    refusal: RefusalOut | None = None


class TransitionIn(Strict):
    to: str = Field(min_length=1, max_length=32)
    comment: str = Field(default="", max_length=2000)
    interview_at: dt.datetime | None = None
    version: int | None = None
    confirm: bool = Field(
        default=False,
        description="required (true) for a move that cannot be undone: "
        "approved, refused, issued, travelled, closed",
    )
    refusal: RefusalIn | None = Field(
        default=None, description="required for 'refused' (with a comment)"
    )


class QueueOut(BaseModel):
    items: list[QueueItemOut]
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
    #: not_uploaded | awaiting_review | accepted | rejected (the latest upload's)
    state: str


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
    status: Review
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


# -- decisions (issue #12): refusal grounds, confirmations, the batch submit step --------


class RefusalIn(Strict):
    """A refusal's ground (``GET /refusal-grounds``), its sub-ground where the ground has
    them, and for a ground that lists items (INA 221(g)) the items missing: checklist ids
    of the case (``items``) and/or items typed (``other_items``)."""

    ground: str = Field(min_length=1, max_length=32)
    sub_ground: str = Field(default="", max_length=32)
    items: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=50)
    other_items: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=20)

    @field_validator("items", "other_items", mode="after")
    @classmethod
    def _no_controls_in_items(cls, value: list[str]) -> list[str]:
        return [refuse_controls(v, multiline=False) for v in value]


class RefusalOut(BaseModel):
    ground: str
    sub_ground: str | None
    label: str
    citation: str
    verify: str | None = Field(description="a note for counsel; desk roles only")
    items: list[dict[str, str]]
    comment: str
    event_id: int
    at: dt.datetime


class SubGroundOut(BaseModel):
    id: str
    label: str
    citation: str
    verify: str | None


class RefusalGroundOut(BaseModel):
    id: str
    label: str
    citation: str
    verify: str | None
    requires_items: bool
    sub_grounds: list[SubGroundOut]


class SubmitIn(Strict):
    """Submitting a batch: ``confirm`` must be true; ``amber`` decides for every person
    the preview marks ``decide`` (``include``: a case needing information; ``hold``: kept
    back), ``decisions`` for one person (trip id -> choice) over it."""

    confirm: bool = False
    amber: Literal["include", "hold"] | None = None
    decisions: dict[int, Literal["include", "hold"]] = Field(default={}, max_length=100_000)


class PreviewRowOut(BaseModel):
    trip_id: int
    worker_id: str
    light: str
    outcome: Literal["case", "covered", "decide", "not_filed"]
    reason: str
    explanation: str
    category: str | None
    missing: list[str]
    case_id: int | None
    in_hand: bool


class SubmitPreviewOut(BaseModel):
    batch_id: int
    counts: dict[str, int]
    rows: list[PreviewRowOut]
    notice: str


# -- the queue: deadlines, assignment, bulk actions (issue #12) ------------------------------


class QueueItemOut(CaseOut):
    """A queue row: the case, whom it is assigned to (desk readers; ``None`` otherwise or
    nobody), and its deadline marks on the desk's day (``None`` once nothing is pending)."""

    assignee_id: int | None = None
    days_left: int | None = None
    overdue_by: int | None = None
    late_by: int | None = None


class AssignIn(Strict):
    """``assignee_id``: the desk user to assign the case to; ``null``: nobody."""

    assignee_id: RowId | None = None


class BulkIn(Strict):
    """A selection of cases and one action for all of them: ``assign`` (to
    ``assignee_id``, ``null``: nobody), ``take``, or ``transition`` to ``to``."""

    case_ids: list[RowId] = Field(min_length=1, max_length=100)
    action: str = Field(min_length=1, max_length=20)
    assignee_id: RowId | None = None
    to: str = Field(default="", max_length=32)
    comment: str = Field(default="", max_length=2000)


class BulkOut(BaseModel):
    action: str
    case_ids: list[int]


# -- document requests and notifications (desk.requesting, desk.docrequests, notifications) --


class DocumentRequestIn(Strict):
    """The items an officer ticks on the case's checklist, other items in words, a note."""

    kinds: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=100
    )
    extras: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10)
    note: str = Field(default="", max_length=2000)
    version: int | None = None


class RequestItemOut(BaseModel):
    kind: str
    title: str
    extra: bool
    #: not_uploaded | awaiting_review | accepted | rejected
    state: str
    reason: str
    document_id: int | None


class DocumentRequestOut(BaseModel):
    request_id: int
    case_id: int
    note: str
    requested_at: dt.datetime
    uploaded: int
    accepted: int
    total: int
    #: "2 of 3 uploaded", in the request's language
    progress: str
    items: list[RequestItemOut]


class ToDoOut(BaseModel):
    case_id: int
    worker_id: str
    category: str
    state: str
    request: DocumentRequestOut


class NotificationOut(BaseModel):
    id: int
    case_id: int | None
    #: the message id (``notify.<message>`` in the catalogs) and its parameters
    message: str
    params: dict[str, Any]
    #: the message in the request's language
    text: str
    created_at: dt.datetime
    read: bool


class UnreadOut(BaseModel):
    unread: int


TransitionIn.model_rebuild()
CaseDetailOut.model_rebuild()
QueueOut.model_rebuild()
