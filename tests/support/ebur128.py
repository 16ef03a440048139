"""An independent loudness meter for tests: ffmpeg's ``ebur128`` filter run on a file (via subprocess)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np


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


def foley_hits(foley: np.ndarray) -> list[int]:
    """Foley hits (48 kHz samples): the loudest sample of each burst within 24 dB of the loudest, 150 ms apart."""
    env = np.abs(foley).max(axis=1)
    taken: list[int] = []
    for i in np.argsort(env)[::-1]:
        if env[i] < env.max() * 10 ** (-24 / 20):
            break
        if all(abs(int(i) - t) > 7200 for t in taken):
            taken.append(int(i))
    return sorted(taken)


def punch(x: np.ndarray, hit: int) -> float:
    """A hit's peak-to-loudness ratio: its true peak (±20 ms) over the loudness of the 400 ms around it."""
    from studio.sound import loudness

    return loudness.true_peak(x[max(0, hit - 960) : hit + 960]) - loudness.integrated_loudness(
        x[max(0, hit - 9600) : hit + 9600])
