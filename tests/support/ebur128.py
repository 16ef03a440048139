"""An independent loudness meter for tests: ffmpeg's ``ebur128`` filter run on a file (via subprocess)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg


def ffmpeg_loudness(path: str | Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of ``path``'s sound as ffmpeg's EBU R128 meter reads it."""
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-vn",
         "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak
