"""The `unspun` command: the script `pip` installs, and `python -m unspun` where scripts are not on PATH."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line. Ctrl-C while its libraries load (the first second) ends it as Ctrl-C during a
    command does, with status 130 and no traceback (it printed one from deep inside an import)."""
    try:
        from .cli import app
    except KeyboardInterrupt:
        sys.exit(130)
    app(prog_name="unspun")


if __name__ == "__main__":
    main()
