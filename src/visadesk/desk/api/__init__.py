"""The desk's HTTP API (FastAPI, versioned under ``/api/v1``)."""

from visadesk.desk.api.app import create_app

__all__ = ["create_app"]
