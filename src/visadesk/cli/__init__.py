"""The ``visadesk`` command line: thin shells over the library."""

from visadesk.cli.app import app, main

__all__ = ["app", "main"]
