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
from typing import Iterable, Iterator

import av
import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.media.encode import AAC_FRAME_SIZE, AUDIO_BITRATE


def aac_round_trip(audio: np.ndarray, *, sample_rate: int = SAMPLE_RATE, bit_rate: int = AUDIO_BITRATE) -> np.ndarray:
    """``audio`` (S×2 float32) encoded to AAC as the exports encode it and decoded again (S×2 float32, aligned)."""
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 1:
        samples = np.stack([samples, samples], axis=1)
    parts = list(aac_round_trip_blocks([samples], samples.shape[0], sample_rate=sample_rate, bit_rate=bit_rate))
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, 2), np.float32)


def aac_round_trip_blocks(blocks: Iterable[np.ndarray], n: int, *, sample_rate: int = SAMPLE_RATE,
                          bit_rate: int = AUDIO_BITRATE) -> Iterator[np.ndarray]:
    """`aac_round_trip` on a stream: float32 ``(m, 2)`` blocks of an ``n``-sample programme in, the decoded
    samples out as blocks (exactly ``n`` in all, aligned, zeros where the decoder gave fewer).

    Encoded in 1024-sample frames from the stream's start whatever the blocks' sizes, so any
    chunking decodes to the same samples (`aac_round_trip` is this on one block); memory is a block.
    """
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
    state = {"skip": None, "left": int(n)}

    def decoded(packets) -> Iterator[np.ndarray]:
        for packet in packets:
            for frame in decoder.decode(packet):
                if state["skip"] is None:
                    state["skip"] = int(getattr(encoder, "delay", 0) or 0) or AAC_FRAME_SIZE  # the priming
                got = frame.to_ndarray().reshape(2, -1).T
                cut = min(state["skip"], got.shape[0])
                got, state["skip"] = got[cut:], state["skip"] - cut
                got = got[: state["left"]]
                state["left"] -= got.shape[0]
                if got.shape[0]:
                    yield np.ascontiguousarray(got, dtype=np.float32)

    pending = np.zeros((0, 2), np.float32)
    pts = 0

    def encode(chunk: np.ndarray) -> Iterator[np.ndarray]:
        nonlocal pts
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.pts = pts
        frame.time_base = Fraction(1, sample_rate)
        pts += chunk.shape[0]
        yield from decoded(encoder.encode(frame))

    for block in blocks:
        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 1:
            block = np.stack([block, block], axis=1)
        pending = np.concatenate([pending, block]) if pending.shape[0] else block
        whole = pending.shape[0] // AAC_FRAME_SIZE * AAC_FRAME_SIZE
        for start in range(0, whole, AAC_FRAME_SIZE):
            yield from encode(pending[start : start + AAC_FRAME_SIZE])
        pending = pending[whole:]
    if pending.shape[0]:
        yield from encode(pending)
    yield from decoded(encoder.encode(None))
    if state["left"] > 0:
        yield np.zeros((state["left"], 2), np.float32)
