"""Errors of the source fetchers; every message names the source and the URL or file."""

from __future__ import annotations


class SourceError(RuntimeError):
    """A source could not be fetched (network, HTTP status, size limit)."""

    def __init__(self, source: str, location: str, message: str) -> None:
        super().__init__(f"{source}: {message} ({location})")
        self.source = source
        self.location = location


class SourceFormatError(SourceError):
    """A response arrived but is not in the format the parser expects (truncated body,
    missing variable or column, unknown label)."""


def describe(exc: Exception) -> str:
    """A parser's message; the exception type is added unless it is the parsers' own
    ValueError (a JSONDecodeError or KeyError says more with its name)."""
    return str(exc) if type(exc) is ValueError else f"{type(exc).__name__}: {exc}"
