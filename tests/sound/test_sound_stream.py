"""The sound in blocks is the sound as whole arrays: mix, ducking, meters, mastering, the AAC round trip, design, WAVs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.domain.model import DialogueLine, SoundEvent
from studio.domain.scene import describe_scene
from studio.domain.timing import SAMPLE_RATE
from studio.media.audio_codec import aac_round_trip, aac_round_trip_blocks
from studio.media.audio_io import WavReader, read_wav, write_wav
from studio.sound import design, loudness
from studio.sound.dynamics import SidechainStream, sidechain_gain
from studio.sound.mix import join_shots
from studio.sound.stream import ArrayStem, ProgramMix, master_stream
from studio.sound.synth import render_foley

SR = SAMPLE_RATE


def _shot(seconds: float, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    foley = np.zeros((n, 2), np.float32)
    for i, pos in enumerate(range(SR // 5, n - SR // 2, SR // 2)):
        hit = render_foley(["impact", "door", "clap"][i % 3], pos, 1.2)[: n - pos]
        foley[pos : pos + hit.shape[0]] += hit
    words = np.zeros((n, 2), np.float32)
    m = min(SR, n - n // 3)
    words[n // 3 : n // 3 + m] = rng.standard_normal((m, 2)) * 0.1
    music = np.sin(2 * np.pi * 220 * np.arange(n) / SR)[:, None] * np.full(2, 0.05)
    return {"ambience": (rng.standard_normal((n, 2)) * 0.02).astype(np.float32), "foley": foley,
            "dialogue": words, "music": music.astype(np.float32)}


def _blocks(x: np.ndarray, size: int):
    return [x[i : i + size] for i in range(0, x.shape[0], size)]


@pytest.fixture(scope="module")
def shots():
    return [_shot(3.3, 1), _shot(0.7, 2), _shot(5.1, 3)]


def test_program_mix_in_blocks_is_join_shots(shots):
    gains = {"ambience": 2.0}
    shot_gains = [{"foley": -3.0}, {}, {"music": -math.inf}]
    whole = join_shots(shots, gains=gains, shot_gains=shot_gains)
    mix = ProgramMix([{k: ArrayStem(v) for k, v in s.items()} for s in shots], [s["foley"].shape[0] for s in shots],
                     gains=gains, shot_gains=shot_gains)
    assert mix.n == whole.shape[0]
    for size in (10007, 1 << 17):
        joined = np.concatenate(list(mix.blocks(size)))
        np.testing.assert_array_equal(joined, whole)  # crossfades at both cuts, music ducked across them


def test_sidechain_stream_is_sidechain_gain(shots):
    key = join_shots(shots, gains={"ambience": -math.inf, "foley": -math.inf, "music": -math.inf})
    whole = sidechain_gain(key, -10.0)
    assert whole.min() < 0.5  # it ducks
    stream = SidechainStream(lambda a, b: key[a:b], key.shape[0], -10.0)
    parts = [stream.gain(a, min(a + 4999, key.shape[0])) for a in range(0, key.shape[0], 4999)]
    np.testing.assert_allclose(np.concatenate(parts), whole, rtol=0, atol=1e-12)
    with pytest.raises(ValueError):
        stream.gain(0, 10)  # in order only


def test_meters_read_the_same_whatever_the_blocks(shots):
    x = join_shots(shots)
    rng = np.random.default_rng(0)
    cuts = np.sort(rng.integers(0, x.shape[0], 40))
    pieces = np.split(x, cuts)
    meter, env = loudness.LoudnessMeter(), loudness.PeakEnvelope()
    got = []
    for p in pieces:
        meter.add(p)
        got.append(env.push(p))
    got.append(env.flush())
    assert meter.result() == loudness.integrated_loudness(x)
    np.testing.assert_array_equal(np.concatenate(got), loudness.peak_envelope(x))
    assert env.true_peak_db() == loudness.true_peak(x)


@pytest.mark.parametrize("codec", [None, "aac"])
def test_master_stream_is_master(shots, codec):
    x = join_shots(shots)
    whole = loudness.master(x, -14.0, -1.0, max_limiting_db=16.0, codec=aac_round_trip if codec else None)
    with master_stream(_blocks(x, 12345), -14.0, -1.0, max_limiting_db=16.0, block=7777,
                       codec=aac_round_trip_blocks if codec else None) as mastered:
        out = mastered.array()
        assert mastered.samples == x.shape[0]
        # The limiter's smoothing sees other FFT block edges: float rounding at most.
        np.testing.assert_allclose(out, whole, rtol=0, atol=1e-6)
        assert mastered.lufs == pytest.approx(loudness.integrated_loudness(out), abs=1e-9)
        assert mastered.true_peak_db == pytest.approx(loudness.true_peak(out), abs=1e-9)
        assert mastered.true_peak_db <= -1.0 and mastered.lufs == pytest.approx(-14.0, abs=0.1)
        np.testing.assert_array_equal(np.concatenate(list(mastered.blocks())), out)  # as often as asked


def test_master_stream_keeps_silence_as_it_is():
    silent = np.zeros((SR, 2), np.float32)
    with master_stream([silent], -14.0, -1.0) as mastered:
        assert mastered.lufs == -math.inf and mastered.ceiling is None
        np.testing.assert_array_equal(mastered.array(), silent)


def test_aac_round_trip_in_blocks_is_the_whole_round_trip(shots):
    x = join_shots(shots)
    whole = aac_round_trip(x)
    got = np.concatenate(list(aac_round_trip_blocks(_blocks(x, 3000), x.shape[0])))
    np.testing.assert_array_equal(got, whole)


def _file_sound(path) -> np.ndarray:
    import av
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def _file_packets(path) -> list[bytes]:
    import av
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(audio=0) if p.size]


def test_decoded_track_is_the_round_trip_of_the_file_it_writes(shots, tmp_path):
    """The delivered track's own round trip: the file `encode_sound` would write, decoded as it is written."""
    from studio.media.audio_codec import decoded_track
    from studio.media.encode import encode_sound

    x = join_shots(shots)  # 9.1 s: at 24 fps, 218 frames (9.083 s) trims it
    frames = x.shape[0] * 24 // SR
    got = np.concatenate(list(decoded_track(tmp_path / "a.mp4", iter(_blocks(x, 3000)), fps=24, frames=frames)))
    assert got.shape == (frames * SR // 24, 2)
    encode_sound(tmp_path / "b.mp4", iter(_blocks(x, 5000)), fps=24, frames=frames)
    assert _file_packets(tmp_path / "a.mp4") == _file_packets(tmp_path / "b.mp4")  # the very packets delivered
    # What a player decodes from that file (FFmpeg drops the priming itself): the same samples.
    played = _file_sound(tmp_path / "a.mp4").T
    np.testing.assert_array_equal(got, played[: got.shape[0]])
    # And the same as the in-memory round trip mastering used before.
    np.testing.assert_array_equal(got, aac_round_trip(x[: got.shape[0]]))


def test_decoded_track_left_unfinished_leaves_no_file(shots, tmp_path):
    from studio.media.audio_codec import decoded_track

    x = join_shots(shots)
    parts = decoded_track(tmp_path / "a.mp4", iter(_blocks(x, 3000)), fps=24, frames=200)
    next(parts)
    parts.close()
    assert list(tmp_path.iterdir()) == []


def test_master_stream_says_when_its_last_round_trip_is_the_result(shots, tmp_path):
    """When the codec pass that accepted the ceiling went through the delivered file, that file is the result."""
    from studio.media.audio_codec import decoded_track

    x = join_shots(shots) * 4.0  # hot: the limiter works, and the AAC round trip is checked
    frames = x.shape[0] * 24 // SR
    calls = []

    def codec(blocks, n):
        calls.append(n)
        return decoded_track(tmp_path / "t.mp4", blocks, fps=24, frames=frames)

    with master_stream(_blocks(x, 12345), -14.0, -1.0, max_limiting_db=16.0, codec=codec) as mastered:
        assert calls, "a hot programme's ceiling is checked on the codec"
        assert mastered.round_tripped
        # The file written by the last check decodes to the mastered blocks' own round trip.
        out = mastered.array()
        np.testing.assert_array_equal(_file_sound(tmp_path / "t.mp4").T[: frames * SR // 24],
                                      aac_round_trip(out[: frames * SR // 24]))
        assert loudness.true_peak(_file_sound(tmp_path / "t.mp4").T) <= -1.0
    quiet = join_shots(shots) * 0.05  # far under the ceiling: no codec pass, nothing to reuse
    with master_stream(_blocks(quiet, 12345), -30.0, -1.0, codec=codec) as mastered:
        assert not mastered.round_tripped


def _scene_and_cues():
    scene = describe_scene("rain on a city street, birds", "", ("rain", "birds"))
    events = tuple(SoundEvent(f, "bounce", 0.8, 0.2, "sketch") for f in range(3, 900, 17))
    lines = (DialogueLine(text="Hello there, how are you", speaker_id="mei"),
             DialogueLine(text="Fine thanks", speaker_id="bo", at_frame=120))
    return scene, events, lines


def test_design_in_blocks_is_design_sound():
    scene, events, lines = _scene_and_cues()
    whole = design.design_sound(scene, events, 240, 24, 7, dialogue=lines)
    parts = list(design.design_sound_blocks(scene, events, 240, 24, 7, dialogue=lines, block=10000))
    assert np.any(whole["dialogue"]) and np.any(whole["foley"])
    for name, stem in whole.items():
        np.testing.assert_array_equal(np.concatenate([p[name] for p in parts]), stem)


def test_a_long_shot_is_designed_in_blocks_and_spooled(tmp_path):
    scene, events, lines = _scene_and_cues()
    frames = int((design.SPOOL_OVER_S + 6) * 24)
    stems = design.design_sound(scene, events, frames, 24, 7, dialogue=lines)
    n = frames * SR // 24
    for name in design.DESIGN_STEMS:
        assert isinstance(stems[name], np.memmap) and stems[name].shape == (n, 2)
    # Foley and dialogue are placed exactly as the whole-array stems place them.
    hits = design._plan_hits(events, (), frames)
    np.testing.assert_array_equal(stems["foley"], np.clip(design._foley_stem(hits, n, 24, 7), -1, 1).astype(np.float32))
    speech, _ = design._dialogue_stem(lines, frames, 24, n, None)
    np.testing.assert_array_equal(stems["dialogue"], np.clip(speech, -1, 1).astype(np.float32))
    # The first segment of the bed is the whole-array bed; the next one joins it without a dip or a bump.
    bed = np.asarray(stems["ambience"], dtype=np.float64)
    first = design._bed_segment(scene.ambience, int(design.SEGMENT_S * SR) + SR, 7)
    # (before the first line: the ambience ducks under the words)
    np.testing.assert_array_equal(stems["ambience"][SR : 3 * SR], first[SR : 3 * SR].astype(np.float32))
    rms = [20 * np.log10(np.sqrt(np.mean(bed[i : i + SR // 10] ** 2))) for i in range(25 * SR, 35 * SR, SR // 10)]
    assert max(rms) - min(rms) < 4.0
    # Stored as a take stores it: the spooled file is copied, and reads back (whole or by offset) the same.
    path = write_wav(tmp_path / "amb.wav", stems["ambience"])
    back, rate = read_wav(path)
    assert rate == SR
    np.testing.assert_array_equal(back, stems["ambience"])
    reader = WavReader(path)
    assert reader.frames == n
    np.testing.assert_array_equal(reader.read(n - 100, n + 50)[:100], back[n - 100 :])
    assert not np.any(reader.read(n - 100, n + 50)[100:])  # past the end: silence
    spooled = stems["ambience"].filename
    del stems, back
    import gc

    gc.collect()
    import os

    assert not os.path.exists(spooled)  # the spool goes with its array


def test_wav_reader_reads_other_wavs_whole(tmp_path):
    from scipy.io import wavfile

    data = (np.random.default_rng(1).standard_normal((1000, 1)) * 3000).astype(np.int16)
    wavfile.write(tmp_path / "mono16.wav", SR, data)
    reader = WavReader(tmp_path / "mono16.wav")
    whole, _ = read_wav(tmp_path / "mono16.wav")
    np.testing.assert_array_equal(reader.read(10, 1010)[:990], whole[10:])
    assert reader.read(10, 1010).shape == (1000, 2)
