"""What a new user sees first: `analyze --help` lists every command, no argument is an error.

The listing is built from the command table (``analyzer.cli.SUBCOMMANDS``) and each command's
registered help, so a command added there is listed without editing any help text.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import SUBCOMMANDS, build_app, commands_listing

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command() -> None:
    result = _analyze("--help")
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^    analyze(?: ([a-z]+))? \[OPTIONS\]", result.stdout, re.M)
    assert listed == ["", *SUBCOMMANDS]
    assert {"timeline", "fleet", "redact"} <= set(SUBCOMMANDS)
    assert "Commands (each has its own --help):" in result.stdout


def test_the_listing_follows_the_table_not_prose() -> None:
    listing = commands_listing()
    for name, builder in SUBCOMMANDS.items():
        assert f"  analyze {name} [OPTIONS]" in listing
        first = (builder().registered_commands[0].help or "").split()[0]
        assert first in listing  # its own registered help, not a copy of it
    assert "{" not in listing


def test_no_argument_names_the_missing_bundle() -> None:
    result = _analyze()
    assert result.returncode == 2
    assert result.stderr.strip().endswith("Error: Missing argument 'BUNDLE'.")
    assert result.stdout == ""


def test_no_argument_in_process_too() -> None:
    result = CliRunner().invoke(build_app(), [])
    assert result.exit_code == 2
    assert "Missing argument 'BUNDLE'" in result.stderr


def test_a_named_command_without_arguments_still_shows_its_help() -> None:
    result = _analyze("redact")
    assert "Usage: analyze redact" in result.stdout + result.stderr


def test_one_install_spelling_for_the_fleet_extra() -> None:
    fleet = _analyze("fleet", "--help").stdout
    spellings = set(re.findall(r"pip install '[^']*\[fleet\]'", fleet + README))
    assert spellings == {"pip install '.[fleet]'"}


def test_the_readme_starts_with_the_two_commands_then_says_what_is_needed() -> None:
    lines = README.splitlines()
    assert lines[0].strip().startswith("python3 -m venv .venv && .venv/bin/pip install -q . &&")
    assert lines[1].strip().endswith(".venv/bin/python -m pytest")
    assert "Python 3.11" in README
    assert "about 15 minutes" in README
    assert "`chromium`" in README
