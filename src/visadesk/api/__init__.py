"""The desk's HTTP API (FastAPI, versioned under ``/api/v1``): :data:`app.ROUTERS`.

It parses a request, calls the desk's services (:mod:`visadesk.desk`) and answers
JSON; what it shares with the web pages is :mod:`visadesk.serve`, and
:mod:`visadesk.server` puts both on one app.
"""
