"""The traveller sheet as one printable HTML page (A4, ``@media print``), from the
Jinja2 template ``report/templates/traveller.html``."""

from __future__ import annotations

from functools import cache

import jinja2

from visadesk.i18n import t
from visadesk.report.traveller.sheet import TravellerSheet, languages

__all__ = ["render_html"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("visadesk", "report/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(sheet: TravellerSheet, lang: str = "en") -> str:
    """The sheet as one printable HTML page: ``lang`` first, the other language alongside."""
    template = _environment().get_template("traveller.html")
    return template.render(sheet=sheet, langs=languages(lang), t=t)
