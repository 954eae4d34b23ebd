"""``visadesk template``: write the roster template (XLSX) to fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from visadesk.atomic import atomic_path
from visadesk.cli.common import Lang, fail, handled, resolve_lang
from visadesk.desk.rostertemplate import roster_template
from visadesk.i18n import t

__all__ = ["register"]


def template(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the template.")],
    lang: Lang = None,
) -> None:
    """Write the roster template: localised headers, drop-down lists, a guide sheet, examples."""
    code = resolve_lang(lang)
    if out.suffix.lower() != ".xlsx":
        fail(t("roster_input.template.cli.not_xlsx", code, path=str(out)))
    made = roster_template(code)
    with handled(code), atomic_path(out) as tmp:
        tmp.write_bytes(made.data)
    name = t(f"roster_input.template.lang_name.{made.lang}", code)
    typer.echo(t("roster_input.template.cli.written", code, lang=name, path=str(out)))


def register(app: typer.Typer) -> None:
    app.command("template")(template)
