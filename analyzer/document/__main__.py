"""``python -m analyzer.document --schema [FILE]``: write the JSON Schema of analysis.json.

Without FILE it rewrites the checked-in ``docs/analysis-schema.json``; ``-`` prints it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analyzer.document.codec import SCHEMA_FILE, schema_text

USAGE = "usage: python -m analyzer.document --schema [FILE | -]"


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--schema" or len(argv) > 2:
        print(USAGE, file=sys.stderr)
        return 2
    target = argv[1] if len(argv) == 2 else str(SCHEMA_FILE)
    if target == "-":
        sys.stdout.write(schema_text())
    else:
        Path(target).write_text(schema_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
