"""The diffusers engine: photoreal shots from open video models, behind the engine protocol.

One `generate` call: find the model (catalogue id or folder, never a download),
snap the size and length to what it accepts, pick the device, dtype and memory
profile, load the pipeline (or reuse the one already loaded — the worker keeps
this engine, so a model loads once per session), compose the prompt from the
story bible, and denoise with a per-step callback that reports progress, sends a
preview every few steps and checks the cancel token. Raising from that callback
stops the pipeline within one step; offload hooks are then released.

The frames are resampled to the project's frame rate and the shot's length and
fitted to the canvas, so a take always matches its shot. Sound: the model's own
audio where it makes some (LTX-2), else the Sketch sound design.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Iterator

import numpy as np

from studio.domain.timing import frames_to_samples
from studio.engine.diffusion import cogvideox, hunyuan15, kandinsky5, lora, ltx, ltx2, sana_video, skyreels, wan
from studio.engine.diffusion.catalogue import ModelSpec
from studio.engine.diffusion.device import (
    CPU_PROFILE,
    apply_profile,
    choose_profile,
    free_vram_gb,
    pick_device,
    pick_dtype,
    profile_that_fits,
)
from studio.engine.diffusion.job import SEED_POLICY, DiffusionJob, SizePlan, plan_size
from studio.engine.diffusion.loader import ModelSource, load_pipeline, pipeline_class, resolve_model, set_eval
from studio.engine.diffusion.speed import SpeedPlan, apply_speed, plan_speed, release_speed, resolve_cache
from studio.engine.diffusion.windows import Window, continuation, join_audio, join_frames, plan_windows, window_label
from studio.engine.diffusion.recipe import SchedulerStepHook, accepts_step_callback, call_for, set_scheduler
from studio.engine.diffusion.previews import PreviewPacer, decode_first_frame, fit_preview, latent_preview
from studio.engine.diffusion.prompting import compose_prompt, negative_prompt
from studio.engine.protocol import (
    CancelledError,
    CancelToken,
    Emit,
    EngineError,
    EngineResult,
    GenerateRequest,
    MasterSpool,
    Preview,
    Progress,
    Started,
    TakeMaster,
)

log = logging.getLogger(__name__)

FAMILIES: dict[str, ModuleType] = {"wan": wan, "ltx": ltx, "ltx2": ltx2, "cogvideox": cogvideox,
                                   "hunyuan15": hunyuan15, "skyreels": skyreels, "sana_video": sana_video,
                                   "kandinsky5": kandinsky5}
SAMPLE_RATE = 48_000
WINDOW_SEED_STRIDE = 1_000_003
"""Window k of a long shot draws its noise from seed + k × this (window 0: the shot's own seed)."""
SHARED_WEIGHT_PROFILES = (CPU_PROFILE, "gpu", "fp8")
"""Profiles under which a second pipeline class can share the loaded weights (from_pipe);
offload hooks are per pipeline, so the offload profiles reload instead."""


@dataclass
class LoadedModel:
    """The pipeline(s) kept between jobs for one model folder and placement."""

    key: tuple[str, str, str, str]
    """(folder, device, dtype, profile)."""
    pipes: dict[str, object] = field(default_factory=dict)
    """Pipeline class name -> pipeline (text-to-video and image-to-video share weights)."""


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or an MPS/other backend's 'out of memory' RuntimeError."""
    import torch

    oom = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", ())
    if oom and isinstance(exc, oom):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def resample_frames(frames: np.ndarray, model_fps: int, out_frames: int, out_fps: int) -> np.ndarray:
    """Pick frames so the clip plays at ``out_fps`` for ``out_frames`` frames.

    Each output frame shows the model frame at the same moment; a clip shorter
    than the shot (the model's longest clip) is spread over the whole shot.
    """
    n = frames.shape[0]
    t = np.arange(out_frames) / out_fps
    src = np.floor(t * model_fps + 1e-6).astype(int)
    if n / model_fps < out_frames / out_fps - 1e-9:
        src = np.floor(np.arange(out_frames) * n / out_frames).astype(int)
    return frames[np.clip(src, 0, n - 1)]


def to_stereo_48k(audio: np.ndarray, rate: int, samples: int) -> np.ndarray:
    """Model audio (S×C float) as S'×2 float32 at 48 kHz, cut or padded to ``samples``."""
    from math import gcd

    from scipy.signal import resample_poly

    a = np.asarray(audio, np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if rate != SAMPLE_RATE and a.shape[0] > 0:
        g = gcd(SAMPLE_RATE, rate)
        a = resample_poly(a, SAMPLE_RATE // g, rate // g, axis=0)
    if a.shape[1] == 1:
        a = np.repeat(a, 2, axis=1)
    a = a[:, :2]
    out = np.zeros((samples, 2), np.float32)
    m = min(samples, a.shape[0])
    out[:m] = np.clip(a[:m], -1.0, 1.0)
    return out


class DiffusersEngine:
    """Video diffusion models through Hugging Face diffusers (Wan, LTX-Video, LTX-2, CogVideoX)."""

    name = "diffusers"
    version = "1.0"
    streams = True
    """The shot's frames go to the master one at a time as they are fitted to the canvas."""

    def __init__(self) -> None:
        self._loaded: LoadedModel | None = None

    # ------------------------------------------------------------------ the protocol
    def generate(self, request: GenerateRequest, emit: Emit, cancel: CancelToken,
                 sink: MasterSpool | None = None) -> EngineResult:
        """Make the shot; progress every step, a preview every few, cancel within one step.

        The windows are joined at the model's size (small); the canvas-size frames are
        streamed into a master in ``sink`` and never held together."""
        job_id = request.job_id
        source = resolve_model(request.setting("model"))  # type: ignore[arg-type]
        spec = source.spec
        if spec.kind != "video" or spec.family not in FAMILIES:
            raise EngineError(f"{spec.name} does not make video", "choose a video model (studio models list)")
        family = FAMILIES[spec.family]
        start, start_from = self._start_image(request, spec)
        if spec.needs_image and start is None:
            raise EngineError(
                f"{spec.name} starts from an image and shot {request.shot.id} has none",
                "give the shot a reference image, or generate the shot before it first (its last frame is used)",
            )
        class_name = spec.image_pipeline if start is not None else spec.pipeline
        assert class_name is not None
        plan = plan_size(spec, request)
        windows = self._windows(spec, plan, request)
        device = pick_device(_str_setting(request, "device") or os.environ.get("STUDIO_DEVICE") or None)
        speed = plan_speed(_str_setting(request, "speed"), spec, device, None, plan.steps, plan.guidance,
                           steps_set=bool(request.setting("steps")), compile_setting=request.setting("compile"),
                           compile_backend=_str_setting(request, "compile_backend"), lora_available=lora.is_available)
        loras = self._check_loras(request, source, spec, speed.lora)
        plan = replace(plan, steps=speed.steps, guidance=speed.guidance)
        total = len(windows) * plan.steps + 2
        emit(Started(job_id, self.name, total))
        emit(Progress(job_id, 0, total, "load"))

        dtype = pick_dtype(device, spec.dtype)
        free = free_vram_gb(device)
        # The profile chosen in Models arrives in the request's settings (the services layer puts it
        # there from the saved app settings); the environment variable overrides it for one session.
        requested = os.environ.get("STUDIO_MEMORY_PROFILE") or _str_setting(request, "memory_profile")
        if speed.fp8 and requested in (None, "", "auto"):
            requested = "fp8"  # the speed preset's fp8 weights, on a GPU that computes in fp8
        elif speed.fp8:
            speed = replace(speed, fp8=False)  # a profile chosen by the user wins over the preset
        loaded = self._loaded
        if loaded is not None and loaded.key[:3] == (str(source.path), device, dtype) and requested in (None, "", "auto"):
            # The kept model's own VRAM is not free: judging again would pick a thriftier
            # profile and reload for nothing. Keep the profile it was loaded with.
            profile = loaded.key[3]
        else:
            profile = choose_profile(spec, device, free, requested)
        pipe = self._load(source, class_name, device, dtype, profile, spec, free, plan)
        speed = resolve_cache(speed, getattr(pipe, "transformer", None))
        speed_facts: dict = {}
        cancel.check()
        # The snapped size and length, shown in the queue while the first step runs.
        frames_text = f"{plan.num_frames} f" if len(windows) == 1 else f"{len(windows)} × {windows[0].frames} f"
        emit(Progress(job_id, 1, total, f"{plan.width}×{plan.height} · {frames_text} · {plan.fps} fps · {profile}"))

        prompt = compose_prompt(request, spec.prompt_style, with_sound=spec.has_audio)
        image = None
        if start is not None:
            from PIL import Image

            from studio.media.frames import fit_frame

            image = Image.fromarray(fit_frame(start, plan.width, plan.height))
        clips: list[np.ndarray] = []
        sounds: list[np.ndarray] = []
        audio = None
        for w in windows:
            if w.index > 0:
                # Window k starts from the frame of window k−1 at its own first moment.
                from PIL import Image

                previous = windows[w.index - 1]
                image = Image.fromarray(np.asarray(clips[-1][w.start - previous.start]))
                class_name = spec.image_pipeline
                assert class_name is not None
                pipe = self._load(source, class_name, device, dtype, profile, spec, free, plan)
            lora.apply_loras(pipe, loras)
            stage = "render" if len(windows) == 1 else f"render · {window_label(w.index, len(windows))}"
            raw, audio = self._denoise(pipe, family, spec, request, plan, w, image, prompt, emit, cancel,
                                       offset=2 + w.index * plan.steps, total=total, stage=stage,
                                       profile=profile, free=free, speed=speed, speed_facts=speed_facts)
            raw = np.asarray(raw)
            if raw.dtype != np.uint8:  # kept as bytes: a long shot's windows in floats would be gigabytes
                raw = (np.clip(raw, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
            clips.append(raw[: w.frames])
            if audio is not None:
                samples, rate = audio
                sounds.append(to_stereo_48k(samples, rate, round(w.frames / plan.fps * SAMPLE_RATE)))
        n_model = plan.requested_frames if len(windows) > 1 else plan.num_frames
        raw_frames = join_frames(windows, clips, n_model, match=request.setting("colour_match") is not False)
        if sounds:
            audio = (join_audio(windows, sounds, plan.fps, SAMPLE_RATE, round(n_model / plan.fps * SAMPLE_RATE)),
                     SAMPLE_RATE)
        cancel.check()
        w, h = request.canvas.width, request.canvas.height
        with (sink or MasterSpool()).open(w, h, request.fps) as writer:  # a cancel or an error removes it
            for frame in self._finish_frames(np.asarray(raw_frames), plan, request):
                writer.add(frame)
            master = writer.finish()
        del raw_frames, clips
        try:
            stems, events, sound_facts = self._sound(request, audio, master, cancel)
        except BaseException:
            master.discard()
            raise
        emit(Progress(job_id, total, total, "sound"))
        extra = {
            # Not "model": that key is the user's setting (id or folder), kept as chosen in the recipe.
            "model_id": spec.id,
            "model_repo": spec.repo,
            "pipeline": spec.image_pipeline if start is not None else spec.pipeline,
            "model_width": plan.width,
            "model_height": plan.height,
            "model_frames": n_model,
            "model_fps": plan.fps,
            "requested_model_frames": plan.requested_frames,
            "stretched": plan.stretched and len(windows) == 1,
            "windows": len(windows),
            "window_frames": ",".join(str(w.frames) for w in windows),
            "window_overlap": windows[-1].overlap,
            "continuation": continuation(spec) if len(windows) > 1 else "none",
            "slow_motion": bool(request.setting("slow_motion")),
            "steps": plan.steps,
            "guidance": plan.guidance,
            "quality": request.quality,
            "memory_profile": profile,
            "device": device,
            "dtype": dtype,
            "seed_policy": SEED_POLICY,
            **speed.facts(),
            "loras": lora.format_loras([lo.ref for lo in loras]),
            "lora_sha256": ";".join(lo.sha256 for lo in loras),
            **speed_facts,
            "start_image": start_from,
            **sound_facts,
        }
        return EngineResult(
            frames=None,
            master=master,
            fps=request.fps,
            stems=stems,
            events=events,
            engine=self.name,
            engine_version=self.version,
            seed=int(request.seed),
            composed_prompt=prompt,
            model=str(source.path) if spec.local else spec.id,
            extra=extra,
        )

    @staticmethod
    def _windows(spec: ModelSpec, plan: SizePlan, request: GenerateRequest) -> list[Window]:
        """One window, or the plan of windows for a shot longer than the model's longest clip.

        A model that cannot continue from frames refuses such a shot here, before any work;
        the old stretch (frames repeated: slow motion) happens only when the shot asks for it.
        """
        if not plan.stretched or request.setting("slow_motion"):
            return [Window(0, 0, plan.num_frames, 0)]
        longest = spec.frames.snap(spec.frames.max)
        seconds = request.frames / request.fps
        if continuation(spec) == "none":
            raise EngineError(
                f"{spec.name} makes at most {longest} frames ({longest / spec.fps:.1f} s) in one clip and cannot "
                f"continue from a clip's last frames; shot {request.shot.id} is {seconds:.1f} s",
                f"shorten the shot to {longest / spec.fps:.1f} s or split it, choose a model that can continue "
                "(one with image-to-video), or set slow_motion to stretch one clip",
            )
        overlap = request.setting("window_overlap")
        return plan_windows(spec, plan.requested_frames, None if overlap in (None, "") else int(overlap))

    @staticmethod
    def _check_loras(request: GenerateRequest, source: ModelSource, spec: ModelSpec, speed_lora: str):
        """The project's and the shot's LoRAs (and the fast preset's), each checked against the
        base transformer's config before anything loads."""
        refs = lora.parse_loras(request.setting("project_loras")) + lora.parse_loras(request.setting("loras"))
        if speed_lora and speed_lora not in {r.source for r in refs}:
            refs.append(lora.LoraRef(speed_lora, 1.0))
        if not refs:
            return []
        config = Path(source.path) / "transformer" / "config.json"
        if not config.is_file():
            raise EngineError(f"{spec.name} has no transformer/config.json to check LoRAs against",
                              "LoRAs work with diffusers model folders that have a transformer")
        pipeline_class = spec.pipeline or spec.image_pipeline
        checked = {}
        for r in refs:  # the same file twice (project and shot): the shot's weight wins
            resolved = lora.check_lora(r, config, pipeline_class)
            checked.pop(resolved.adapter_name, None)
            checked[resolved.adapter_name] = resolved
        return list(checked.values())

    def _load(self, source, class_name, device, dtype, profile, spec, free, plan):
        try:
            return self._pipeline(source, class_name, device, dtype, profile)
        except Exception as exc:
            if is_out_of_memory(exc):
                self.unload()
                raise self._oom_error(spec, profile, free, plan, "loading") from exc
            raise

    def _denoise(self, pipe, family: ModuleType, spec: ModelSpec, request: GenerateRequest, plan: SizePlan,
                 window: Window, image, prompt: str, emit: Emit, cancel: CancelToken, *, offset: int, total: int,
                 stage: str, profile: str, free: float | None, speed: SpeedPlan | None = None,
                 speed_facts: dict | None = None):
        """One pipeline call (one window): progress per step, previews, cancel; (frames, audio)."""
        import torch

        job_id = request.job_id
        if speed is not None and speed.flow_shift is not None:
            spec = replace(spec, flow_shift=speed.flow_shift)  # the preset's recipe (a few-step LoRA's shift)
        job = DiffusionJob(
            spec=spec, prompt=prompt, negative_prompt=negative_prompt(request),
            width=plan.width, height=plan.height, num_frames=window.frames, fps=plan.fps,
            steps=plan.steps, guidance=plan.guidance,
            generator=torch.Generator("cpu").manual_seed(int(request.seed) + WINDOW_SEED_STRIDE * window.index),
            image=image, max_sequence_length=spec.max_sequence_length,
        )
        set_scheduler(pipe, {**spec.scheduler, **(speed.scheduler if speed is not None else {})})
        family.prepare(pipe, job)
        kwargs = call_for(family, job, speed)

        pacer = PreviewPacer(plan.steps)

        def on_step_end(p, i: int, t, callback_kwargs: dict) -> dict:
            cancel.check()  # raising here stops the pipeline before the next step
            emit(Progress(job_id, offset + i, total, stage))
            latents = callback_kwargs.get("latents")
            if latents is not None and pacer.step_ended(i):
                frame = self._preview(family, p, latents, job)
                pacer.preview_done()
                if frame is not None:
                    emit(Preview(job_id, 0, frame))
                cancel.check()  # a cancel pressed during the decode still stops before the next step
            return callback_kwargs

        hook = contextlib.nullcontext()
        if accepts_step_callback(pipe):
            kwargs["callback_on_step_end"] = on_step_end
            kwargs["callback_on_step_end_tensor_inputs"] = ["latents"]
        else:  # HunyuanVideo 1.5: the same callback after each scheduler step
            hook = SchedulerStepHook(pipe, on_step_end)
        try:
            if speed is not None:
                applied = apply_speed(pipe, speed)
                if speed_facts is not None:
                    speed_facts.update(applied)
            with hook:
                out = pipe(**kwargs)
        except CancelledError:
            self._release(pipe)
            raise
        except Exception as exc:
            self._release(pipe)
            if is_out_of_memory(exc):
                self.unload()
                raise self._oom_error(spec, profile, free, plan, "generating") from exc
            raise
        self._release(pipe)
        cancel.check()
        return family.read_output(out, pipe)

    @staticmethod
    def _preview(family: ModuleType, pipe, latents, job: DiffusionJob) -> np.ndarray | None:
        """The first frame of ``latents`` through the VAE; the false-colour projection if that fails."""
        try:
            z, timestep = family.preview_latents(latents, pipe, job)
            return fit_preview(decode_first_frame(pipe, z, timestep), job.width, job.height)
        except Exception:  # a preview must never cost the take
            log.warning("VAE preview of %s failed; showing the latent projection", job.spec.id, exc_info=True)
        try:
            return latent_preview(family.first_latent_frame(latents, pipe, job), job.width, job.height)
        except Exception:
            log.debug("latent projection failed too", exc_info=True)
            return None

    # ------------------------------------------------------------------ pipelines
    def _pipeline(self, source: ModelSource, class_name: str, device: str, dtype: str, profile: str):
        """The pipeline for ``class_name``: the loaded one, one sharing its weights, or a fresh load."""
        key = (str(source.path), device, dtype, profile)
        loaded = self._loaded
        if loaded is not None and loaded.key == key:
            pipe = loaded.pipes.get(class_name)
            if pipe is not None:
                return pipe
            if profile in SHARED_WEIGHT_PROFILES:
                base = next(iter(loaded.pipes.values()))
                pipe = pipeline_class(class_name).from_pipe(base)
                pipe._studio_base_scheduler = getattr(base, "_studio_base_scheduler", base.scheduler)
                set_eval(pipe)
                pipe.set_progress_bar_config(disable=True)
                loaded.pipes[class_name] = pipe
                return pipe
        self.unload()
        pipe = load_pipeline(source, class_name, dtype)
        apply_profile(pipe, profile, device)
        self._loaded = LoadedModel(key, {class_name: pipe})
        return pipe

    @property
    def loaded_key(self) -> tuple[str, str, str, str] | None:
        """(folder, device, dtype, profile) of the model kept in memory, if any."""
        return self._loaded.key if self._loaded else None

    def unload(self) -> None:
        """Drop the kept pipeline and give its memory back."""
        self._loaded = None
        gc.collect()
        _empty_cache()

    @staticmethod
    def _release(pipe) -> None:
        """After a run, finished or not: offload hooks put models back on the CPU; caches are emptied."""
        try:
            release_speed(pipe)
        except Exception:
            log.debug("cache hooks could not be removed", exc_info=True)
        free_hooks = getattr(pipe, "maybe_free_model_hooks", None)
        if free_hooks is not None:
            try:
                free_hooks()
            except Exception:
                log.debug("maybe_free_model_hooks failed", exc_info=True)
        _empty_cache()

    @staticmethod
    def _oom_error(spec: ModelSpec, profile: str, free: float | None, plan: SizePlan, when: str) -> EngineError:
        better = profile_that_fits(spec, free, profile)
        size = f"{plan.width}×{plan.height}, {plan.num_frames} frames"
        message = f"the GPU ran out of memory {when} {spec.name} with the {profile} memory profile ({size})"
        if better:
            need = spec.vram_needed(better)
            need_text = f", needs about {need:g} GB" if need else ""
            hint = (f"use the {better} profile{need_text}: choose it in Models, or set STUDIO_MEMORY_PROFILE={better}; "
                    "a shorter shot or the draft quality also helps")
        else:
            hint = "shorten the shot or lower the resolution (short_side), or use a smaller model"
        return EngineError(message, hint)

    # ------------------------------------------------------------------ inputs and outputs
    @staticmethod
    def _start_image(request: GenerateRequest, spec: ModelSpec) -> tuple[np.ndarray | None, str]:
        """The frame to start from, and where it came from, for models that can use one."""
        if not spec.can_start_from_image or request.setting("continuity") is False:
            return None, "none"
        if request.start_image is not None:
            return request.start_image, "start image"
        if request.start_image_loader is not None:
            # Handed over by the window: the decode (the previous take's last frame) runs here, on the
            # worker thread. A frame that cannot be read costs continuity, never the job.
            try:
                image = request.start_image_loader()
            except Exception:
                log.warning("the start frame of shot %s could not be loaded", request.shot.id, exc_info=True)
                image = None
            if image is not None:
                return np.asarray(image), "start image"
        # A cast cameo's face crop is the next best start (the cameo engineer's CameoReference.crop).
        for ref in getattr(request, "cameo_references", None) or ():
            crop = getattr(ref, "crop", ref)
            if isinstance(crop, np.ndarray) and crop.ndim == 3:
                return crop, "cameo"
        return None, "none"

    @staticmethod
    def _finish_frames(raw: np.ndarray, plan: SizePlan, request: GenerateRequest) -> Iterator[np.ndarray]:
        """Model output (F×H×W×3 floats in 0..1) as the shot's frames, one at a time: project fps,
        length and canvas."""
        from studio.media.frames import fit_frame

        if raw.dtype != np.uint8:
            raw = (np.clip(raw, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        timed = resample_frames(raw, plan.fps, request.frames, request.fps)
        w, h = request.canvas.width, request.canvas.height
        for frame in timed:
            yield fit_frame(frame, w, h)

    @staticmethod
    def _sound(request: GenerateRequest, audio, master: TakeMaster, cancel: CancelToken):
        """The take's stems, the sound events placed on the picture, and where the sound came from.

        A model that makes sound (LTX-2) keeps it, as one full-mix stem. Otherwise the
        picture is analysed (optical flow) and the sound design puts foley on its impacts,
        whooshes on fast camera moves and an ambience bed from the prompt and setting.
        With a text-to-audio model chosen (``audio_model`` setting) and sound cues in the
        shot, the model voices the cues and its output is shifted/stretched so its attacks
        land on the picture's impacts; it replaces the designed foley (sfx cues) or bed
        (ambience cues only).
        """
        n = frames_to_samples(request.frames, request.fps)
        if audio is not None:
            samples, rate = audio
            return {"ambience": to_stereo_48k(samples, rate, n)}, (), {"sound": "model"}
        from studio.domain.model import SoundCueKind
        from studio.sound.design import design_sound_for_video
        from studio.sound.motion import analyse_motion

        resolved = request.resolved()
        ambience = tuple(c.description for c in resolved.sound_cues if c.kind is SoundCueKind.AMBIENCE)
        sfx = tuple(c for c in resolved.sound_cues if c.kind is SoundCueKind.SFX)
        music = tuple(c.description for c in resolved.sound_cues if c.kind is SoundCueKind.MUSIC)
        motion = analyse_motion(master.read(), request.fps)  # streamed from the master (exactly the frames made)
        cancel.check()
        track = design_sound_for_video(master.read(), request.fps, prompt=resolved.text, setting=request.bible.setting,
                                       seed=int(request.seed), dialogue=resolved.dialogue, sfx_cues=sfx,
                                       ambience_cues=ambience, motion=motion, music_cues=music)
        stems = dict(track.stems)
        audio_model = _str_setting(request, "audio_model")
        if not audio_model or not (sfx or ambience):
            return stems, track.events, {"sound": "sound design", "sound_events": len(track.events)}
        from studio.engine.diffusion.audio import generate_audio
        from studio.sound.align import align_generated_audio

        described = [c.description for c in sfx] or list(ambience)
        clip = generate_audio(", ".join(described), request.frames / request.fps, model=audio_model,
                              seed=int(request.seed), quality=request.quality, cancel=cancel)
        aligned, alignment = align_generated_audio(clip.samples, clip.sample_rate, None, request.fps, request.frames,
                                                   motion=motion)
        stems["foley" if sfx else "ambience"] = aligned
        return stems, track.events, {
            "sound": "generated + sound design",
            "audio_model": clip.model,
            "sound_events": len(track.events),
            "audio_shift_ms": round(alignment.shift_s * 1000, 1),
            "audio_stretch": round(alignment.rate, 4),
            "audio_onsets_matched": f"{alignment.matched}/{alignment.onsets}",
        }


def _str_setting(request: GenerateRequest, key: str) -> str | None:
    value = request.setting(key)
    return str(value) if value not in (None, "") else None


def _empty_cache() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:
        pass
