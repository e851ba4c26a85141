"""`unspun serve`: the HTTP API and web pages over a store.

    from unspun.serve import run, create_app
    run(Path("news.unspun"), host="127.0.0.1", port=8000, write_token=None, max_body=10_000_000)
"""

from .app import create_app
from .limits import MAX_BODY, MAX_TEXT
from .server import run

__all__ = ["run", "create_app", "MAX_BODY", "MAX_TEXT"]
