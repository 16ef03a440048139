"""The delivered AAC's round trip in memory: what a player decodes from the exported file's sound.

Lossy coding adds inter-sample overshoot (0.3-0.8 dB at 192 kb/s on limited
material), so a programme limited to -1 dBTP can read -0.5 dBTP once
decoded. Mastering (`studio.sound.loudness.master`) checks its ceiling on
this round trip: the same encoder, bit rate and 1024-sample frames as
`studio.media.encode.write_mp4` and `studio.media.delivery.write_video`, so the
decoded samples are those of the file.
"""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.media.encode import AAC_FRAME_SIZE, AUDIO_BITRATE


def aac_round_trip(audio: np.ndarray, *, sample_rate: int = SAMPLE_RATE, bit_rate: int = AUDIO_BITRATE) -> np.ndarray:
    """``audio`` (S×2 float32) encoded to AAC as the exports encode it and decoded again (S×2 float32, aligned)."""
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 1:
        samples = np.stack([samples, samples], axis=1)
    n = samples.shape[0]
    encoder = av.CodecContext.create("aac", "w")
    encoder.sample_rate = sample_rate
    encoder.layout = "stereo"
    encoder.format = "fltp"
    encoder.bit_rate = bit_rate
    encoder.time_base = Fraction(1, sample_rate)
    encoder.open()
    decoder = av.CodecContext.create("aac", "r")
    decoder.sample_rate = sample_rate
    decoder.layout = "stereo"
    decoder.extradata = encoder.extradata
    decoder.open()
    pieces: list[np.ndarray] = []

    def drain(packets) -> None:
        for packet in packets:
            for frame in decoder.decode(packet):
                pieces.append(frame.to_ndarray().reshape(2, -1).T)

    for start in range(0, n, AAC_FRAME_SIZE):
        chunk = np.ascontiguousarray(samples[start : start + AAC_FRAME_SIZE].T)
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        drain(encoder.encode(frame))
    drain(encoder.encode(None))
    decoded = np.concatenate(pieces, axis=0) if pieces else np.zeros((0, 2), np.float32)
    delay = int(getattr(encoder, "delay", 0) or 0) or AAC_FRAME_SIZE  # the encoder's priming
    out = np.zeros((n, 2), np.float32)
    got = decoded[delay : delay + n]
    out[: got.shape[0]] = got
    return out
