"""Text-to-audio (Stable Audio Open, AudioLDM 2) on tiny pipelines: exact lengths at 48 kHz stereo."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine.diffusion.audio import SAMPLE_RATE, TextToAudio
from studio.engine.protocol import CancelledError, CancelToken, EngineError


@pytest.fixture(scope="module")
def t2a():
    return TextToAudio()


def test_stable_audio_makes_exactly_the_length_asked_for(t2a, tiny_audio_models):
    model = str(tiny_audio_models["stable_audio"])
    steps = []
    clip = t2a.generate("rain on a roof", 1.5, model=model, seed=3, progress=lambda d, t: steps.append((d, t)))
    assert clip.samples.shape == (int(1.5 * SAMPLE_RATE), 2) and clip.samples.dtype == np.float32
    assert clip.sample_rate == SAMPLE_RATE and clip.steps == 2
    assert np.sqrt(np.mean(clip.samples ** 2)) > 1e-4
    assert steps == [(1, 2), (2, 2)]
    # Longer than the model's longest clip (2 s): consecutive clips, crossfaded, still exact.
    steps.clear()
    long = t2a.generate("rain on a roof", 3.0, model=model, seed=3, progress=lambda d, t: steps.append((d, t)))
    assert long.samples.shape == (3 * SAMPLE_RATE, 2)
    assert steps[-1] == (4, 4)
    assert np.sqrt(np.mean(long.samples[-SAMPLE_RATE // 2:] ** 2)) > 1e-4, "the second clip filled the end"


def test_same_seed_same_sound(t2a, tiny_audio_models):
    model = str(tiny_audio_models["stable_audio"])
    a = t2a.generate("door slam", 1.0, model=model, seed=1).samples
    b = t2a.generate("door slam", 1.0, model=model, seed=1).samples
    c = t2a.generate("door slam", 1.0, model=model, seed=2).samples
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_audioldm2_mono_16k_becomes_48k_stereo(t2a, tiny_audio_models):
    clip = t2a.generate("footsteps", 0.02, model=str(tiny_audio_models["audioldm2"]), seed=0)
    assert clip.samples.shape == (960, 2)
    assert np.array_equal(clip.samples[:, 0], clip.samples[:, 1])
    assert np.abs(clip.samples).max() > 0


def test_cancel_and_bad_requests(t2a, tiny_audio_models, tiny_models):
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        t2a.generate("wind", 1.0, model=str(tiny_audio_models["stable_audio"]), cancel=token)
    with pytest.raises(EngineError, match="positive number of seconds"):
        t2a.generate("wind", 0.0, model=str(tiny_audio_models["stable_audio"]))
    with pytest.raises(EngineError, match="does not make audio"):
        t2a.generate("wind", 1.0, model=str(tiny_models["cogvideox"]))
