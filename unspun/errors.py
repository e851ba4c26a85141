"""Errors a user can act on: the CLI prints them on one line and exits with status 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UnspunError(Exception):
    """Base of every error that is the input's fault, not a bug in unspun."""


class InputError(UnspunError):
    """A document could not be read: missing, a directory, binary, empty, undecodable."""


@contextmanager
def writing(target: object, error: type[UnspunError] = UnspunError) -> Iterator[None]:
    """A write that fails (a full disk, a folder in its place) is one error line naming what was written, not an
    OSError traceback."""
    try:
        yield
    except OSError as e:
        raise error(f"{target}: cannot write: {e.strerror or e}") from None
