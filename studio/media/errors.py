"""The two exceptions the media layer raises on purpose.

Every failure that concerns a file (missing, unreadable, corrupt, disk full)
becomes a `MediaError` whose message names the file and says what to do, so the
layers above can show it to the user as is. Raw PyAV/FFmpeg exceptions never
leave this package.
"""

from __future__ import annotations


class MediaError(Exception):
    """A media file could not be read or written; the message names the file."""


class ExportCancelled(Exception):
    """An encode was cancelled by its ``should_cancel`` callback.

    Not a `MediaError`: a cancel is the user's choice, not a failure to report.
    The destination is left exactly as it was.
    """
