"""Write the CLI reference from the real ``--help`` output of every command.

Usage: python tools/gen_cli_docs.py docs/cli.md   (or: make docs)
A test compares docs/cli.md with this output, so the reference cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from visadesk.cli import app

COMMANDS: tuple[tuple[str, ...], ...] = (
    (),
    ("screen",),
    ("explain",),
    ("sample",),
    ("synth",),
    ("whatif",),
    ("policy",),
    ("policy", "check"),
    ("policy", "show"),
    ("policy", "diff"),
)


def help_text(args: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        app, [*args, "--help"], env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    )
    if result.exit_code != 0:
        raise SystemExit(f"visadesk {' '.join(args)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    parts = [
        "# CLI reference",
        "",
        "Generated from the real `--help` output by `make docs` (tools/gen_cli_docs.py);",
        "a test fails when this file and the commands disagree.",
        "",
        "Exit status: 0 done; 1 `policy check` found problems; 2 bad input",
        "(every problem reported at once, nothing written).",
    ]
    for args in COMMANDS:
        title = " ".join(("visadesk", *args))
        parts += ["", f"## `{title}`", "", "```text", help_text(args), "```"]
    return "\n".join(parts) + "\n"


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/cli.md")
    target.write_text(render(), encoding="utf-8")
    typer.echo(f"wrote {target}")


if __name__ == "__main__":
    main()
