"""The commands of `analyze` stand side by side: each imports only the shared helpers.

A command that imported another would make the two one tower again, where a change to one
command's options or errors silently changes the other's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parent.parent / "analyzer" / "cli"


def cli_imports(path: Path) -> set[str]:
    """The analyzer.cli modules that ``path`` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "analyzer.cli":
            names.update(f"analyzer.cli.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("analyzer.cli")}


@pytest.mark.parametrize(
    "name", ["analyze.py", "timeline.py", "fleet.py", "redact.py", "compare.py"]
)
def test_a_command_imports_no_other_command(name: str) -> None:
    assert cli_imports(CLI / name) == {"analyzer.cli.common"}


def test_the_shared_helpers_import_no_command() -> None:
    assert cli_imports(CLI / "common.py") == set()
