"""Errors a user can act on: the CLI prints them on one line and exits with status 2."""


class UnspunError(Exception):
    """Base of every error that is the input's fault, not a bug in unspun."""


class InputError(UnspunError):
    """A document could not be read: missing, a directory, binary, empty, undecodable."""
