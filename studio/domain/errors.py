"""The one shape of a failure the user can act on, shared by every layer."""

from __future__ import annotations


class ExplainedError(Exception):
    """``message`` says what failed (naming the file or field), ``hint`` what to do about it.

    The command line prints "message — hint" on one line and the window shows both;
    ``str()`` carries both too, so a log line or a bare print loses nothing.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message + (f" ({hint})" if hint else ""))
        self.message = message
        self.hint = hint
