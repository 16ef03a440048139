"""Media I/O: PyAV encode/decode, WAV stems, the export watermark, frame geometry.

No Qt here. Every file problem surfaces as `MediaError` with a message naming
the file; writers are atomic (a partial file never lands at the destination).
"""

from studio.media.errors import ExportCancelled, MediaError

__all__ = ["ExportCancelled", "MediaError"]
