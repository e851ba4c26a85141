"""`python -m unspun`: the `unspun` command, for an environment whose scripts are not on PATH."""

from .cli import app

app(prog_name="unspun")
