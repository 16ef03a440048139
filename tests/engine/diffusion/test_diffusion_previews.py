"""Live previews are the VAE's decode of the current latents' first frame, paced to a tenth of the job."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from studio.engine.diffusion import engine as engine_module
from studio.engine.diffusion.engine import FAMILIES
from tests.support.tiny_models import BUILDERS
from studio.engine.diffusion.job import DiffusionJob, plan_size
from studio.engine.diffusion.loader import load_pipeline, resolve_model
from studio.engine.diffusion.previews import PreviewPacer, decode_first_frame, latent_preview, preview_every
from studio.engine.protocol import CancelledError, CancelToken, Preview, Progress
from tests.engine.diffusion.test_diffusion_engine import make_request


def _run_capturing_last_latents(folder):
    """Run a tiny pipeline the way the engine does; the latents its last step callback saw, and its frames."""
    source = resolve_model(str(folder))
    spec = source.spec
    pipe = load_pipeline(source, spec.pipeline, "float32")
    plan = plan_size(spec, make_request(folder))
    job = DiffusionJob(spec=spec, prompt="a lighthouse at dusk", negative_prompt="", width=plan.width,
                       height=plan.height, num_frames=plan.num_frames, fps=plan.fps, steps=plan.steps,
                       guidance=plan.guidance, generator=torch.Generator("cpu").manual_seed(5),
                       max_sequence_length=spec.max_sequence_length)
    family = FAMILIES[spec.family]
    family.prepare(pipe, job)
    kwargs = family.call_kwargs(job)
    kwargs.update(spec.call_defaults)
    seen = {}

    def keep(p, i, t, callback_kwargs):
        seen["latents"] = callback_kwargs["latents"].clone()
        return callback_kwargs

    kwargs["callback_on_step_end"] = keep
    kwargs["callback_on_step_end_tensor_inputs"] = ["latents"]
    out = pipe(**kwargs)
    frames, _audio = family.read_output(out, pipe)
    first = (np.clip(np.asarray(frames[0], np.float64), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return family, pipe, job, seen["latents"], first


@pytest.mark.parametrize("family_name", list(BUILDERS))
def test_preview_is_the_first_frame_the_pipeline_decodes(tiny_models, family_name):
    family, pipe, job, latents, first = _run_capturing_last_latents(tiny_models[family_name])
    z, timestep = family.preview_latents(latents, pipe, job)
    preview = decode_first_frame(pipe, z, timestep)
    assert preview.shape == first.shape and preview.dtype == np.uint8
    assert first.std() > 1.0, "the tiny model draws something, so the comparison means something"
    assert np.abs(preview.astype(int) - first.astype(int)).max() <= 2
    # The old false-colour projection is nowhere near the real picture: this test tells them apart.
    projection = latent_preview(family.first_latent_frame(latents, pipe, job), first.shape[1], first.shape[0])
    assert np.abs(projection.astype(int) - first.astype(int)).mean() > 10


def test_engine_previews_come_from_the_vae(engine, tiny_models, monkeypatch):
    decoded = []
    real = engine_module.decode_first_frame

    def spy(pipe, z, timestep=None):
        frame = real(pipe, z, timestep)
        decoded.append(frame)
        return frame

    monkeypatch.setattr(engine_module, "decode_first_frame", spy)
    events = []
    engine.generate(make_request(tiny_models["wan"], settings={"steps": 4}), events.append, CancelToken())
    previews = [e.frame for e in events if isinstance(e, Preview)]
    assert previews and len(previews) == len(decoded)
    assert all(np.array_equal(p, d) for p, d in zip(previews, decoded))


def test_a_failed_decode_falls_back_to_the_projection_and_is_logged(engine, tiny_models, monkeypatch, caplog):
    def broken(latents, pipe, job):
        raise RuntimeError("VAE exploded")

    monkeypatch.setattr(FAMILIES["wan"], "preview_latents", broken)
    events = []
    with caplog.at_level(logging.WARNING, logger="studio.engine.diffusion.engine"):
        result = engine.generate(make_request(tiny_models["wan"]), events.append, CancelToken())
    previews = [e for e in events if isinstance(e, Preview)]
    assert previews and previews[0].frame.shape == (result.extra["model_height"], result.extra["model_width"], 3)
    assert "VAE preview" in caplog.text and "VAE exploded" in caplog.text
    assert result.frame_array().shape[0] == 12, "the take is made all the same"


def test_cancel_pressed_during_a_preview_stops_before_the_next_step(engine, tiny_models, monkeypatch):
    cancel = CancelToken()
    real = engine_module.decode_first_frame

    def cancel_while_decoding(pipe, z, timestep=None):
        cancel.cancel()
        return real(pipe, z, timestep)

    monkeypatch.setattr(engine_module, "decode_first_frame", cancel_while_decoding)
    events = []
    with pytest.raises(CancelledError):
        engine.generate(make_request(tiny_models["wan"], settings={"steps": 6}), events.append, cancel)
    renders = [e.step for e in events if isinstance(e, Progress) and e.stage == "render"]
    assert renders == [2], "the first step's preview was cancelled; no second step ran"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _simulate(steps, step_s, decode_s, after_preview_extra_s=0.0):
    clock = FakeClock()
    pacer = PreviewPacer(steps, clock=clock)
    made = []
    slow_next = False
    for i in range(steps):
        clock.now += step_s + (after_preview_extra_s if slow_next else 0.0)
        slow_next = False
        if pacer.step_ended(i):
            clock.now += decode_s
            pacer.preview_done()
            made.append(i)
            slow_next = True
    return pacer, made


def test_pacer_previews_every_few_steps_when_decoding_is_cheap():
    assert preview_every(8) == 1 and preview_every(50) == 7 and preview_every(1) == 1
    pacer, made = _simulate(50, step_s=1.0, decode_s=0.05)
    assert made == [6, 13, 20, 27, 34, 41, 48], "every ceil(50/8) steps, never after the last"
    assert pacer.spent / pacer.elapsed < 0.10


def test_pacer_keeps_expensive_previews_under_a_tenth_of_the_job():
    # A decode twice as slow as a step: due every 13 steps, but only as often as a tenth of the time allows.
    pacer, made = _simulate(100, step_s=1.0, decode_s=2.0)
    assert made[0] == 12, "the first due preview is made: it measures the cost"
    assert made[1] == 38, "the next waits until the job is long enough to afford it"
    assert len(made) < len(range(12, 99, 13))
    assert pacer.spent / pacer.elapsed <= 0.10


def test_pacer_charges_a_preview_for_the_slow_step_after_it():
    # A decode of 0.05 s that makes the next step 3 s slower (the offloaded denoiser comes back).
    pacer, made = _simulate(40, step_s=1.0, decode_s=0.05, after_preview_extra_s=3.0)
    cheap_pacer, cheap = _simulate(40, step_s=1.0, decode_s=0.05)
    assert len(made) < len(cheap)
    assert pacer.cost == pytest.approx(3.05)
