"""Folders and files only the desk's own account may read: folders 0700, files 0600.

The desk's data folder holds the SQLite database (and its ``-wal``/``-shm``
files), the uploaded documents and the development secrets: personal data
that other accounts on the machine must not read, whatever the process umask.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Final

__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_file", "tighten"]

DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600


def private_dir(path: Path) -> Path:
    """Make ``path`` and its missing parents; every folder made here is 0700.

    A folder that already exists keeps its mode (it may be ``/srv`` or a
    mount point chosen by the operator).
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
            folder.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if it is not there; tighten it to 0600 if it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path, FILE_MODE)
    else:
        os.close(fd)
        tighten(path, FILE_MODE)


def tighten(path: Path, mode: int) -> None:
    """Remove group and other permissions from an existing ``path`` (missing: nothing)."""
    with contextlib.suppress(FileNotFoundError):
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)
