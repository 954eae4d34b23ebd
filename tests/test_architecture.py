"""Which way the house's imports run: the import contracts of pyproject.toml, and no cycle.

Each contract of ``[tool.importlinter]`` is run on its own (``lint-imports``), so a
test names the rule an import broke: the floors (a package imports only the floors
below it), the two front doors (only :mod:`visadesk.server` imports the API or
the web app), no package cycle. Beside them, no module of ``visadesk`` imports one
that imports it back, however long the way round.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Final

import grimp
import pytest

ROOT: Final = Path(__file__).parents[1]
CONFIG: Final = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
CONTRACTS: Final = [contract["id"] for contract in CONFIG["contracts"]]
LINT_IMPORTS: Final = Path(sys.executable).parent / "lint-imports"


def test_the_contracts_are_the_house_rules() -> None:
    assert CONFIG["root_package"] == "visadesk"
    assert set(CONTRACTS) == {"floors", "doors", "acyclic"}


@pytest.mark.parametrize("contract", CONTRACTS)
def test_import_contract_is_kept(contract: str) -> None:
    run = subprocess.run(  # noqa: S603 - the project's own linter
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("visadesk", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join((module, *back)))
    assert not cycles, "\n".join(cycles)
