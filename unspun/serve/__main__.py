"""``python -m unspun.serve --db DB``: the server without the CLI, for benchmarks and for debugging."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UnspunError
from . import MAX_BODY, MAX_TEXT, run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m unspun.serve", description=__doc__)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--write-token", default=None)
    p.add_argument("--max-body", type=int, default=MAX_BODY)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--max-text", type=int, default=MAX_TEXT)
    a = p.parse_args(argv)
    try:
        run(a.db, a.host, a.port, a.write_token, a.max_body, a.workers, a.max_text)
    except UnspunError as e:
        print(f"unspun: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
