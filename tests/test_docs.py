"""Docs that cannot drift: the CLI reference, the rule format, the README commands."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from visadesk.policy.expr import COMPARATORS
from visadesk.policy.model import Policy

ROOT = Path(__file__).resolve().parents[1]


def gen_cli_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def words(text: str) -> list[str]:
    """The text without box drawing and line wrapping, which depend on the terminal."""
    return re.sub(r"[╭╮╰╯─│]", " ", text).split()


def test_cli_reference_is_generated_from_the_real_help() -> None:
    expected = gen_cli_docs().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert words(actual) == words(expected), "docs/cli.md is stale: run `make docs`"


def test_every_command_is_in_the_cli_reference() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in (
        "screen",
        "explain",
        "sample",
        "synth",
        "whatif",
        "policy check",
        "policy show",
        "policy diff",
    ):
        assert f"## `visadesk {command}`" in text


def test_rule_format_doc_covers_every_comparison() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for op in COMPARATORS:
        assert re.search(rf"\b{op}\b", text), f"docs/rules.md does not mention {op!r}"
    for word in ("activities_outside", "basis_used", "known", "all", "any", "not"):
        assert word in text


def test_every_flag_is_documented(baseline: Policy) -> None:
    text = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    for flag in baseline.flags:
        assert f"`{flag.code}`" in text, f"flag {flag.code} is not in docs/screening.md"


def test_readme_quick_start_and_ci_use_the_same_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in ci
