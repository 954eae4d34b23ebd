"""The API's own request dependencies: its database session (read or write), its caller.

What the pages share with the API (the desk, the language, the caller's
resolution, session and CSRF names) is :mod:`visadesk.serve.request`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session, write_session
from visadesk.serve.request import DeskDep, caller

__all__ = ["Caller", "ReadDB", "WriteDB"]


def _read(desk: DeskDep) -> Iterator[Session]:
    with read_session(desk.sessions) as session:
        yield session


def _write(desk: DeskDep) -> Iterator[Session]:
    with write_session(desk.sessions) as session:
        yield session


ReadDB = Annotated[Session, Depends(_read, scope="function")]
WriteDB = Annotated[Session, Depends(_write, scope="function")]
Caller = Annotated[Principal, Depends(caller)]
