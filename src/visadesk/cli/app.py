"""The Typer application and the mapping of domain errors to exit codes.

Exit codes: 0 done; 1 ``policy check`` found problems; 2 bad input (a roster,
an option, a rule file) - reported in full, nothing written.
"""

from __future__ import annotations

import sys

import typer

from visadesk.cli import (
    audit_cmd,
    backup_cmd,
    keys_cmd,
    policy_cmd,
    rescreen_cmd,
    screen_cmd,
    serve_cmd,
    synth_cmd,
    template_cmd,
    user_cmd,
    whatif_cmd,
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="visadesk",
    help=(
        "Screen planned US trips against the visa rules, with the rule and citation behind "
        "every verdict. Guidance, not legal advice. / 미국 출장 계획을 비자 규정에 따라 "
        "심사합니다. 참고용 안내이며 법률 자문이 아닙니다."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
screen_cmd.register(app)
synth_cmd.register(app)
whatif_cmd.register(app)
template_cmd.register(app)
app.add_typer(policy_cmd.app, name="policy")
# The desk's commands, in the order --help lists them.
serve_cmd.register(app)
user_cmd.register(app)
audit_cmd.register(app)
keys_cmd.register(app)
backup_cmd.register(app)
rescreen_cmd.register(app)


def main() -> None:
    """Console entry point."""
    sys.exit(app(standalone_mode=True))
