"""Diffusers engine speed: a plain diffusers call against the same job through Studio's engine.

GPU mode (CUDA): builds the full-size Wan 2.1 T2V 1.3B architecture (transformer,
VAE and a UMT5-XXL-sized text encoder) with random weights — speed does not
depend on the values — and times 480p × 81 frames under each memory profile:
seconds per denoising step, peak VRAM and end-to-end time, first as a plain
``pipe(...)`` call, then the same job (same size, frames, steps, seed) through
`DiffusersEngine.generate` (prompt composition, callbacks, previews, resampling,
sound design). Then the speed-ups diffusers offers, as ratios against the plain
run: torch.compile of the transformer, attention backends, first-block cache.

CPU smoke mode (no GPU, or --smoke): the same comparison on the tiny Wan pipeline
the tests use, so the script itself is exercised everywhere.

    python benchmarks/bench_diffusion.py            # GPU if present, else the smoke run
    python benchmarks/bench_diffusion.py --smoke    # tiny model on the CPU
    python benchmarks/bench_diffusion.py --profiles gpu,model_offload --steps 10 --speedups

Ratios are measured side by side in one run; absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from studio.domain.model import Canvas, Project, Shot, StoryBible  # noqa: E402
from studio.engine.diffusion import engine as engine_module  # noqa: E402
from studio.engine.diffusion.catalogue import PROFILES, find_spec  # noqa: E402
from studio.engine.diffusion.device import apply_profile  # noqa: E402
from studio.engine.diffusion.engine import DiffusersEngine, LoadedModel  # noqa: E402
from studio.engine.diffusion.loader import ModelSource  # noqa: E402
from studio.engine.protocol import CancelToken, GenerateRequest  # noqa: E402

PROMPT = "a student walks to the university in the morning, light rain, city street"


@dataclass
class Timing:
    label: str
    total_s: float
    step_s: float
    peak_gb: float | None


def full_size_wan(device: str, dtype: torch.dtype):
    """Wan 2.1 T2V 1.3B at its real size, random weights, built directly on ``device``."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    from tests.support.tiny_models import t5_tokenizer

    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    try:
        # Built directly in the half type (a 5.7B-parameter text encoder in fp32 would need 23 GB first).
        torch.set_default_dtype(dtype)
        with torch.device(device):
            transformer = WanTransformer3DModel(
                patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024,
            )
            text_encoder = UMT5EncoderModel(UMT5Config(vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240,
                                                       num_layers=24, num_heads=64, feed_forward_proj="gated-gelu"))
        torch.set_default_dtype(torch.float32)
        with torch.device(device):
            vae = AutoencoderKLWan(base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2,
                                   temperal_downsample=[False, True, True])
    finally:
        torch.set_default_dtype(previous)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(tokenizer=t5_tokenizer(512), text_encoder=text_encoder, vae=vae, scheduler=scheduler,
                       transformer=transformer)
    for m in pipe.components.values():
        if isinstance(m, torch.nn.Module):
            m.eval()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def tiny_wan(folder: Path):
    from diffusers import WanPipeline

    from studio.engine.diffusion.loader import set_eval
    from tests.support.tiny_models import build_wan

    build_wan(folder)
    pipe = WanPipeline.from_pretrained(str(folder))
    set_eval(pipe)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _peak(device: str) -> float | None:
    return torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None


def _reset_peak(device: str) -> None:
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def time_plain(pipe, job: dict, device: str, label: str) -> Timing:
    """A plain diffusers call with a step-timing callback (the only addition)."""
    stamps: list[float] = []

    def on_step(p, i, t, kw):
        _sync(device)
        stamps.append(time.perf_counter())
        return kw

    _reset_peak(device)
    _sync(device)
    t0 = time.perf_counter()
    pipe(**job, callback_on_step_end=on_step, generator=torch.Generator("cpu").manual_seed(0))
    _sync(device)
    total = time.perf_counter() - t0
    steps = np.diff([t0] + stamps)[1:] if len(stamps) > 1 else np.array([total])
    return Timing(label, total, float(np.median(steps)), _peak(device))


def time_engine(engine: DiffusersEngine, request: GenerateRequest, device: str, label: str) -> Timing:
    stamps: list[float] = []

    def emit(event):
        if getattr(event, "stage", "") == "render":
            _sync(device)
            stamps.append(time.perf_counter())

    _reset_peak(device)
    _sync(device)
    t0 = time.perf_counter()
    engine.generate(request, emit, CancelToken())
    _sync(device)
    total = time.perf_counter() - t0
    steps = np.diff(stamps) if len(stamps) > 1 else np.array([total])
    return Timing(label, total, float(np.median(steps)), _peak(device))


def engine_for(pipe, spec, folder: str, device: str, dtype: str, profile: str) -> DiffusersEngine:
    """An engine holding ``pipe`` as its loaded model, as after its first job (no reload timed)."""
    engine = DiffusersEngine()
    engine._loaded = LoadedModel((folder, device, dtype, profile), {"WanPipeline": pipe})
    source = ModelSource(spec, Path(folder), folder)
    engine_module.resolve_model = lambda ref: source  # the benchmark hands the engine its model directly
    return engine


def request_for(width: int, height: int, frames: int, fps: int, steps: int, model: str, profile: str) -> GenerateRequest:
    # Canvas = model size and fps = model fps: the engine neither resizes nor resamples, so the
    # comparison measures its per-job work (prompt, callbacks, previews, sound design) only.
    shot = Shot(id="bench", prompt=PROMPT, duration_frames=frames, seed=0, engine="diffusers",
                engine_settings=(("model", model), ("steps", steps), ("memory_profile", profile)))
    project = Project("bench", fps=fps, canvas=Canvas(width, height), bible=StoryBible(), shots=(shot,))
    return GenerateRequest.for_shot(project, shot)


def print_table(title: str, rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny model on the CPU even when a GPU is present")
    ap.add_argument("--profiles", default=",".join(PROFILES), help="memory profiles to time (GPU mode)")
    ap.add_argument("--steps", type=int, default=None, help="denoising steps (GPU default 10, smoke 4)")
    ap.add_argument("--frames", type=int, default=None, help="frames (GPU default 81, smoke 9)")
    ap.add_argument("--speedups", action="store_true", help="also time torch.compile, attention backends, first-block cache")
    ap.add_argument("--repeats", type=int, default=3, help="best of N for each measurement")
    args = ap.parse_args()

    gpu = torch.cuda.is_available() and not args.smoke
    torch.set_flush_denormal(True)  # random tiny weights can produce denormals, which crawl on x86 CPUs
    device = "cuda" if gpu else "cpu"
    dtype_name = "bfloat16" if gpu else "float32"
    spec = find_spec("wan2.1-t2v-1.3b")
    tmp = tempfile.TemporaryDirectory()
    if gpu:
        width, height, fps = 832, 480, 16
        frames, steps = args.frames or 81, args.steps or 10
        profiles = [p for p in args.profiles.split(",") if p]
        print(f"GPU: {torch.cuda.get_device_name()}; Wan 2.1 1.3B architecture, random weights; {width}x{height} x {frames} frames, {steps} steps")
    else:
        width, height, fps = 64, 32, 8
        frames, steps = args.frames or 9, args.steps or 4
        profiles = ["cpu"]
        print(f"CPU smoke run: tiny Wan pipeline; {width}x{height} x {frames} frames, {steps} steps (torch {torch.__version__}, {torch.get_num_threads()} threads)")
    folder = str(Path(tmp.name) / "wan")
    bench_spec = replace(spec, id="bench-wan", repo=folder, local=True, native_size=(width, height), fps=fps,
                         frames=replace(spec.frames, max=max(frames, spec.frames.max)), max_sequence_length=None if gpu else 16)
    # The plain call gets exactly what the engine will pass: its composed prompt and negative prompt.
    from studio.engine.diffusion.prompting import compose_prompt, negative_prompt

    probe = request_for(width, height, frames, fps, steps, folder, profiles[0])
    job = dict(prompt=compose_prompt(probe, bench_spec.prompt_style), negative_prompt=negative_prompt(probe),
               height=height, width=width, num_frames=frames, num_inference_steps=steps,
               guidance_scale=bench_spec.guidance, output_type="np")
    if not gpu:
        job["max_sequence_length"] = 16

    rows: list[list[str]] = []
    for profile in profiles:
        pipe = engine = None
        try:
            if gpu:
                pipe = full_size_wan("cuda" if profile in ("gpu", "fp8") else "cpu", torch.bfloat16)
                apply_profile(pipe, profile, device)
            else:
                pipe = tiny_wan(Path(folder))
            time_plain(pipe, {**job, "num_inference_steps": 2}, device, "warm-up")
            plain = min((time_plain(pipe, job, device, "plain") for _ in range(args.repeats)), key=lambda t: t.total_s)
            engine = engine_for(pipe, bench_spec, folder, device, dtype_name, profile)
            request = request_for(width, height, frames, fps, steps, folder, profile)
            ours = min((time_engine(engine, request, device, "engine") for _ in range(args.repeats)), key=lambda t: t.total_s)
            overhead = (ours.total_s - plain.total_s) / plain.total_s * 100
            peak = f"{plain.peak_gb:.1f} / {ours.peak_gb:.1f}" if plain.peak_gb is not None else "n/a"
            rows.append([profile, f"{plain.step_s:.3f}", f"{ours.step_s:.3f}", f"{plain.total_s:.2f}",
                         f"{ours.total_s:.2f}", f"{ours.total_s - plain.total_s:+.3f}", f"{overhead:+.1f}%", peak])
            if args.speedups and profile == profiles[0]:
                print_table("Speed-ups (ratio of plain end-to-end time; >1 is faster)", speedups(pipe, job, device, plain),
                            ["variant", "s/step", "end-to-end s", "speed-up"])
        except torch.OutOfMemoryError:
            rows.append([profile, "out of memory", "", "", "", "", "", ""])
        finally:
            if engine is not None:
                engine.unload()
            del pipe, engine
            gc.collect()
            if gpu:
                torch.cuda.empty_cache()
    print_table("Plain diffusers vs Studio's engine (same job, best of %d)" % args.repeats, rows,
                ["profile", "plain s/step", "engine s/step", "plain total s", "engine total s", "engine extra s",
                 "engine overhead", "peak VRAM GB (plain / engine)"])
    print("\nengine overhead = (engine total - plain total) / plain total; it includes prompt composition, "
          "progress and preview callbacks, frame conversion and the Sketch sound design — a fixed cost per job "
          "(engine extra s), which dominates only on the tiny smoke model.")
    if not gpu:
        print("smoke mode: the tiny model's calls take milliseconds, so on a shared CPU these figures are mostly "
              "scheduling noise; it checks the script runs. The GPU mode gives the real table.")
    tmp.cleanup()
    return 0


def speedups(pipe, job: dict, device: str, plain: Timing) -> list[list[str]]:
    """torch.compile, attention backends and first-block cache, each against the plain run."""
    rows = []
    transformer = pipe.transformer

    def run(label: str) -> None:
        try:
            time_plain(pipe, {**job, "num_inference_steps": 2}, device, "warm-up")
            t = time_plain(pipe, job, device, label)
            rows.append([label, f"{t.step_s:.3f}", f"{t.total_s:.2f}", f"{plain.total_s / t.total_s:.2f}x"])
        except Exception as exc:  # a backend that is not installed is reported, not fatal
            rows.append([label, "n/a", "n/a", f"unavailable: {str(exc).splitlines()[0][:70]}"])

    rows.append(["plain", f"{plain.step_s:.3f}", f"{plain.total_s:.2f}", "1.00x"])
    for backend in ("native", "_native_cudnn", "flash", "sage"):
        try:
            transformer.set_attention_backend(backend)
        except Exception as exc:
            rows.append([f"attention {backend}", "n/a", "n/a", f"unavailable: {str(exc).splitlines()[0][:70]}"])
            continue
        run(f"attention {backend}")
    transformer.set_attention_backend("native")  # back to PyTorch SDPA for the cache run
    try:
        from diffusers.hooks import FirstBlockCacheConfig

        transformer.enable_cache(FirstBlockCacheConfig(threshold=0.05))
        run("first-block cache (0.05)")
        transformer.disable_cache()
    except Exception as exc:
        rows.append(["first-block cache", "n/a", "n/a", f"unavailable: {str(exc).splitlines()[0][:70]}"])
    if device == "cuda":
        original = pipe.transformer
        pipe.transformer = torch.compile(original, mode="max-autotune-no-cudagraphs")
        run("torch.compile")
        pipe.transformer = original
    return rows


if __name__ == "__main__":
    sys.exit(main())
