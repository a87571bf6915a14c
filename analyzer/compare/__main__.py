"""``python -m analyzer.compare --schema``: print the JSON Schema of compare.json."""

from __future__ import annotations

import sys

from analyzer.compare.document import schema_text


def main(argv: list[str]) -> int:
    if argv != ["--schema"]:
        sys.stderr.write("usage: python -m analyzer.compare --schema\n")
        return 2
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
