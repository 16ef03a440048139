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
import os
from typing import Iterable, Iterator

import av
import numpy as np

from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.media.encode import AAC_FRAME_SIZE, AUDIO_BITRATE, encode_sound_steps


def aac_round_trip(audio: np.ndarray, *, sample_rate: int = SAMPLE_RATE, bit_rate: int = AUDIO_BITRATE) -> np.ndarray:
    """``audio`` (S×2 float32) encoded to AAC as the exports encode it and decoded again (S×2 float32, aligned)."""
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 1:
        samples = np.stack([samples, samples], axis=1)
    parts = list(aac_round_trip_blocks([samples], samples.shape[0], sample_rate=sample_rate, bit_rate=bit_rate))
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, 2), np.float32)


class _Decoder:
    """Decodes an AAC encoder's packets as they come: float32 ``(m, 2)`` blocks of the first ``n`` samples,
    aligned with what went in (the encoder's priming skipped)."""

    def __init__(self, encoder: av.CodecContext, n: int) -> None:
        self.encoder, self.left = encoder, int(n)
        self.skip: int | None = None
        self.decoder: av.CodecContext | None = None
        self.ready: list[np.ndarray] = []

    def push(self, packet: av.Packet, encoder: av.CodecContext | None = None) -> None:
        if self.decoder is None:  # the encoder's extradata exists once it is open
            self.decoder = av.CodecContext.create("aac", "r")
            self.decoder.sample_rate = self.encoder.sample_rate
            self.decoder.layout = "stereo"
            self.decoder.extradata = self.encoder.extradata
            self.decoder.open()
        for frame in self.decoder.decode(packet):
            if self.skip is None:
                self.skip = int(getattr(self.encoder, "delay", 0) or 0) or AAC_FRAME_SIZE  # the priming
            got = frame.to_ndarray().reshape(2, -1).T
            cut = min(self.skip, got.shape[0])
            got, self.skip = got[cut:], self.skip - cut
            got = got[: self.left]
            self.left -= got.shape[0]
            if got.shape[0]:
                self.ready.append(np.ascontiguousarray(got, dtype=np.float32))

    def take(self) -> Iterator[np.ndarray]:
        ready, self.ready = self.ready, []
        yield from ready

    def rest(self) -> Iterator[np.ndarray]:
        """What is left once every packet was pushed; zeros where the decoder gave fewer than ``n``."""
        yield from self.take()
        if self.left > 0:
            yield np.zeros((self.left, 2), np.float32)
            self.left = 0


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
    decoder = _Decoder(encoder, n)
    pending = np.zeros((0, 2), np.float32)
    pts = 0

    def encode(chunk: np.ndarray | None) -> Iterator[np.ndarray]:
        nonlocal pts
        frame = None
        if chunk is not None:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout="stereo")
            frame.sample_rate = sample_rate
            frame.pts = pts
            frame.time_base = Fraction(1, sample_rate)
            pts += chunk.shape[0]
        for packet in encoder.encode(frame):
            decoder.push(packet)
        yield from decoder.take()

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
    yield from encode(None)
    yield from decoder.rest()


def decoded_track(path: str | os.PathLike[str], blocks: Iterable[np.ndarray], *, fps: int, frames: int,
                  sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """The delivered track itself: ``blocks`` encoded into ``path`` exactly as `encode_sound` does (the file
    is there once this is exhausted), yielding what a player decodes from it as it is written —
    ``frames / fps`` seconds of float32 ``(m, 2)`` blocks, aligned with the input.

    The round trip `aac_round_trip_blocks` measures, without a second encode for delivery:
    mastering checks its true peak on these samples and, if it keeps that setting, the export
    copies this file's packets (`add_sound(encoded=)`).
    """
    decoder: _Decoder | None = None

    def tap(packet: av.Packet, encoder: av.CodecContext) -> None:
        nonlocal decoder
        if decoder is None:
            decoder = _Decoder(encoder, frame_to_sample(frames, fps, sample_rate))
        decoder.push(packet)

    for _ in encode_sound_steps(path, blocks, fps=fps, frames=frames, sample_rate=sample_rate, on_packet=tap):
        if decoder is not None:
            yield from decoder.take()
    if decoder is None:  # no packet at all
        decoder = _Decoder(av.CodecContext.create("aac", "w"), frame_to_sample(frames, fps, sample_rate))
    yield from decoder.rest()
