"""What both front doors (the API, the web pages) share when serving a request.

``request``: the desk of the request, its language, who is signed in, the session
and CSRF names; ``errors``: one mapping from the desk's errors to an HTTP answer;
``middleware``: body limits, the database gate and default security headers.
Neither :mod:`visadesk.api` nor :mod:`visadesk.web` owns this package, and it
imports neither; :mod:`visadesk.server` puts them all on one app.
"""
