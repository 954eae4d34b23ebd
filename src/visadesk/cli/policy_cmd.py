"""``visadesk policy check | show | diff``: the rule set for lawyers and for CI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from visadesk.cli.common import AsOf, Lang, PolicySpec, fail, load, parse_day, resolve_lang, today
from visadesk.i18n import t
from visadesk.policy.check import check_policy
from visadesk.policy.load import bundled_layers
from visadesk.policy.refusals import RefusalError, load_refusal_grounds
from visadesk.policy.render import diff_views, policy_view, show_policy

__all__ = ["app"]

app = typer.Typer(help="Check, show and compare rule sets.", no_args_is_help=True)


@app.command("check")
def check(
    policy: PolicySpec = "baseline",
    all_layers: Annotated[
        bool,
        typer.Option("--all", help="Also check the baseline with every bundled proposed layer."),
    ] = False,
    lang: Lang = None,
) -> None:
    """Fail on gaps: untreated activity, uncited or one-language rule, unreachable category."""
    code = resolve_lang(lang)
    specs = [policy] + ([f"{policy}+{layer}" for layer in bundled_layers()] if all_layers else [])
    failed = False
    for spec in specs:
        rules = load(spec, code)
        problems = check_policy(rules)
        if problems:
            failed = True
            typer.echo(t("cli.policy.problems", code, spec=spec, count=len(problems)))
            for problem in problems:
                typer.echo(f"  {problem}")
        else:
            typer.echo(
                t(
                    "cli.policy.ok",
                    code,
                    spec=spec,
                    version=rules.version,
                    rules=len(rules.rules),
                    categories=len(rules.categories),
                )
            )
    # Issue #12: the refusal grounds are rule data too (rules/baseline/refusals.yaml).
    try:
        grounds = load_refusal_grounds()
    except RefusalError as exc:
        typer.echo(t("cli.error.policy", code, detail=str(exc)))
        failed = True
    else:
        typer.echo(t("cli.policy.refusals_ok", code, count=len(grounds.grounds)))
    if failed:
        raise typer.Exit(1)


@app.command("show")
def show(
    category: Annotated[
        str | None, typer.Argument(help="One category id (VWP, B1, E2, ...).")
    ] = None,
    policy: PolicySpec = "baseline",
    as_of: AsOf = None,
    lang: Lang = None,
) -> None:
    """Print the rules readably: requirements, provisions, activity treatments, citations."""
    code = resolve_lang(lang)
    rules = load(policy, code)
    day = parse_day(as_of, "--as-of", code) or today()
    if category is not None and category not in rules.categories:
        fail(t("cli.error.no_category", code, category=category, known=", ".join(rules.categories)))
    typer.echo(show_policy(rules, day, code, category))


def _side(spec: str, lang: str) -> tuple[str, dt.date | None]:
    """A rule set (``baseline+e4``, a folder), maybe ``@YYYY-MM-DD``; a bare date is baseline."""
    name, _, day = spec.partition("@")
    try:
        return "baseline", dt.date.fromisoformat(name)
    except ValueError:
        pass
    return name, parse_day(day, spec, lang) if day else None


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="Old side: a rule set, a date, or RULES@DATE.")],
    new: Annotated[str, typer.Argument(help="New side: a rule set, a date, or RULES@DATE.")],
    lang: Lang = None,
) -> None:
    """Show what changed between two rule sets, two dates, or a proposed layer and its baseline."""
    code = resolve_lang(lang)
    (old_spec, old_day), (new_spec, new_day) = _side(old, code), _side(new, code)
    if (old_day is None) != (new_day is None):
        day = old_day or new_day
        old_day = new_day = day
    lines = diff_views(
        policy_view(load(old_spec, code), old_day), policy_view(load(new_spec, code), new_day)
    )
    typer.echo(t("cli.policy.diff_head", code, old=old, new=new, count=len(lines)))
    for line in lines:
        typer.echo(line)
