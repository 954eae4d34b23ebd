"""The desk's web app: server-rendered pages (Jinja2 + htmx) in English and Korean.

The pages are served by the same FastAPI app as the API (put there by
:func:`visadesk.server.create_app`, from :mod:`visadesk.web.app`) and call the
desk's service functions (:mod:`visadesk.desk`) directly, never the API over
HTTP nor its modules; what they share with the API is :mod:`visadesk.serve`.
``templating`` renders pages (language, user, CSRF, dates and numbers in the
reader's locale); ``forms`` a POST form's answer; ``session`` signing in and
out; ``projects`` and ``batches`` the projects, batches and a person's
screening; ``rosters`` the roster upload and ``rostergrid`` the in-page fixing
of a refused roster;
``casework`` the desk queue, the case page and documents; ``reports`` the
dashboard and downloads.
"""
