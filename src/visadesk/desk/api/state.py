"""What one running desk holds: settings, database, rule set, checklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk.config import Settings
from visadesk.policy.documents import Checklist
from visadesk.policy.model import Policy

__all__ = ["Desk"]


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    checklist: Checklist
    #: The screening date; a test or a demo may pin it.
    today: Callable[[], dt.date] = field(default=dt.date.today)
