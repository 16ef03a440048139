"""Diffusers engine speed: a plain diffusers call against the same job through Studio's engine.

GPU mode (CUDA): builds the full-size Wan 2.1 T2V 1.3B architecture (transformer,
VAE and a UMT5-XXL-sized text encoder) with random weights — speed does not
depend on the values — and times 480p × 81 frames under each memory profile:
seconds per denoising step, peak VRAM and end-to-end time, first as a plain
``pipe(...)`` call, then the same job (same size, frames, steps, seed) through
`DiffusersEngine.generate` (prompt composition, callbacks, previews, resampling,
sound design). Then the speed-ups diffusers offers, as ratios against the plain
run: torch.compile of the transformer, attention backends, first-block cache.

Each profile is timed per speed preset (quality, balanced, fast): seconds per
clip through the engine, the engine's overhead against the plain call on the
quality row (same steps, no cache), and each preset's speed-up as a ratio.

CPU smoke mode (--smoke): the same comparison on the tiny Wan pipeline the tests
use, so the script itself is exercised everywhere. Without CUDA and without
--smoke it prints the plan (below) and exits with status 2, saying so.

The plan (--plan, and printed before every run): every video model in the catalogue
with the recipe its quality/balanced/fast presets would pass (pipeline, size, frames,
steps, guidance, the fast preset's own recipe and LoRA), its VRAM per profile derived
from its published configs, and whether this run times it (the timed rows are Wan 2.1
1.3B at full size with random weights; the others need their real tokenizers and
weights to run end to end, so the plan states their arguments for a run with weights). A time budget (--budget-s, 540 s)
keeps a GPU run under 10 minutes: rows it cannot start are listed as skipped.

    python benchmarks/bench_diffusion.py                      # one CUDA GPU
    python benchmarks/bench_diffusion.py --smoke              # tiny model on the CPU
    python benchmarks/bench_diffusion.py --plan               # what a GPU run covers, per model and preset
    python benchmarks/bench_diffusion.py --profiles gpu --steps 10 --speedups --json bench.json

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
    steps: int = 0
    settings: str = ""


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
    result = engine.generate(request, emit, CancelToken())
    _sync(device)
    total = time.perf_counter() - t0
    steps = np.diff(stamps) if len(stamps) > 1 else np.array([total])
    x = result.extra
    settings = (f"cache {x.get('speed_cache')}" + (f" {x.get('speed_cache_threshold')}" if x.get("speed_cache_threshold") else "")
                + f", attn {x.get('speed_attention')}, compile {'on' if x.get('speed_compile') else 'off'}"
                + (", fp8" if x.get("speed_fp8") else ""))
    return Timing(label, total, float(np.median(steps)), _peak(device), int(x.get("steps", 0)), settings)


def engine_for(pipe, spec, folder: str, device: str, dtype: str, profile: str) -> DiffusersEngine:
    """An engine holding ``pipe`` as its loaded model, as after its first job (no reload timed)."""
    engine = DiffusersEngine()
    engine._loaded = LoadedModel((folder, device, dtype, profile), {"WanPipeline": pipe})
    source = ModelSource(spec, Path(folder), folder)
    engine_module.resolve_model = lambda ref: source  # the benchmark hands the engine its model directly
    return engine


def request_for(width: int, height: int, frames: int, fps: int, steps: int | None, model: str, profile: str,
                speed: str = "quality") -> GenerateRequest:
    # Canvas = model size and fps = model fps: the engine neither resizes nor resamples, so the
    # comparison measures its per-job work (prompt, callbacks, previews, sound design) only.
    shot = Shot(id="bench", prompt=PROMPT, duration_frames=frames, seed=0, engine="diffusers",
                engine_settings=(("model", model), ("memory_profile", profile), ("speed", speed))
                + ((("steps", steps),) if steps else ()))
    project = Project("bench", fps=fps, canvas=Canvas(width, height), bible=StoryBible(), shots=(shot,))
    return GenerateRequest.for_shot(project, shot)


def print_table(title: str, rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")


PRESETS = ("quality", "balanced", "fast")
TIMED_MODELS = ("wan2.1-t2v-1.3b",)


def plan_rows() -> list[list[str]]:
    """Per catalogue video model and preset: the steps, guidance and recipe the engine would pass."""
    from studio.engine.diffusion.catalogue import video_models
    from studio.engine.diffusion.speed import plan_speed

    rows = []
    for spec in video_models():
        w, h = spec.native_size
        frames = spec.frames.snap(spec.frames.max)
        vram = ", ".join(f"{k} {v:g}" for k, v in spec.vram_gb.items()) + f" ({spec.vram_source})"
        for preset in PRESETS:
            plan = plan_speed(preset, spec, "cuda", None, spec.steps_for("standard"), spec.guidance, steps_set=False,
                              lora_available=lambda source: True)
            extra = []
            if plan.lora:
                extra.append(f"LoRA {plan.lora}")
            if plan.call:
                extra.append("call " + ", ".join(f"{k}=[{len(v)} values]" if isinstance(v, list) else f"{k}={v}"
                                                 for k, v in plan.call.items()))
            if plan.scheduler:
                extra.append("scheduler " + ", ".join(f"{k}={v}" for k, v in plan.scheduler.items()))
            if plan.flow_shift is not None:
                extra.append(f"flow_shift {plan.flow_shift:g}")
            rows.append([spec.id, preset, spec.image_pipeline if spec.needs_image else spec.pipeline,
                         f"{w}x{h}x{frames}", str(plan.steps), f"{plan.guidance:g}",
                         f"cache {'first_block/taylorseer' if plan.cache_threshold else 'none'}"
                         + (f" {plan.cache_threshold:g}" if plan.cache_threshold else ""),
                         "; ".join(extra) or "-", vram if preset == "quality" else "",
                         "timed" if spec.id in TIMED_MODELS else "plan only"])
    return rows


def print_plan() -> None:
    print_table("What a GPU run covers: each catalogue video model per speed preset (fp8, compile and the attention "
                "backend follow the GPU)", plan_rows(),
                ["model", "preset", "pipeline", "size x frames", "steps", "guidance", "cache", "preset recipe",
                 "VRAM GB per profile", "this script"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny models on the CPU (the only mode without CUDA)")
    ap.add_argument("--profiles", default=None, help="memory profiles to time (GPU default gpu,model_offload)")
    ap.add_argument("--presets", default=",".join(PRESETS), help="speed presets to time through the engine")
    ap.add_argument("--steps", type=int, default=None, help="standard denoising steps (GPU default 10, smoke 4)")
    ap.add_argument("--frames", type=int, default=None, help="frames (GPU default 81, smoke 9)")
    ap.add_argument("--speedups", action="store_true", help="also time attention backends, first-block cache, torch.compile")
    ap.add_argument("--repeats", type=int, default=None, help="best of N for each measurement (GPU 1, smoke 3)")
    ap.add_argument("--budget-s", type=float, default=540.0, help="stop starting new rows after this many seconds")
    ap.add_argument("--json", default=None, help="also write the rows as JSON to this file")
    ap.add_argument("--plan", action="store_true", help="print what a run covers per model and preset, then stop")
    args = ap.parse_args()

    print_plan()
    if args.plan:
        return 0
    if not args.smoke and not torch.cuda.is_available():
        print("bench_diffusion: no CUDA GPU is visible (torch %s, cuda available: False); run on an NVIDIA GPU, "
              "or pass --smoke for the tiny-model CPU run" % torch.__version__, file=sys.stderr)
        return 2
    gpu = not args.smoke
    began = time.perf_counter()
    torch.set_flush_denormal(True)  # random tiny weights can produce denormals, which crawl on x86 CPUs
    device = "cuda" if gpu else "cpu"
    dtype_name = "bfloat16" if gpu else "float32"
    repeats = args.repeats or (1 if gpu else 3)
    presets = [p for p in args.presets.split(",") if p]
    spec = find_spec("wan2.1-t2v-1.3b")
    tmp = tempfile.TemporaryDirectory()
    if gpu:
        width, height, fps = 832, 480, 16
        frames, steps = args.frames or 81, args.steps or 10
        profiles = [p for p in (args.profiles or "gpu,model_offload").split(",") if p]
        models = ["wan2.1-t2v-1.3b (full size, random weights)"]
        print(f"GPU: {torch.cuda.get_device_name()}; Wan 2.1 1.3B architecture, random weights; {width}x{height} x {frames} frames, {steps} steps")
    else:
        width, height, fps = 64, 32, 8
        frames, steps = args.frames or 9, args.steps or 4
        profiles = ["cpu"]
        models = ["tiny-wan"]
        print(f"CPU smoke run: tiny Wan pipeline; {width}x{height} x {frames} frames, {steps} steps (torch {torch.__version__}, {torch.get_num_threads()} threads)")
    folder = str(Path(tmp.name) / "wan")
    draft = max(1, round(steps * 2 / 3))
    bench_spec = replace(spec, id="bench-wan", repo=folder, local=True, native_size=(width, height), fps=fps,
                         frames=replace(spec.frames, max=max(frames, spec.frames.max)),
                         max_sequence_length=None if gpu else 16,
                         steps={"draft": draft, "standard": steps, "high": steps})
    # The plain call gets exactly what the engine will pass: its composed prompt and negative prompt.
    from studio.engine.diffusion.prompting import compose_prompt, negative_prompt

    probe = request_for(width, height, frames, fps, steps, folder, profiles[0])
    job = dict(prompt=compose_prompt(probe, bench_spec.prompt_style), negative_prompt=negative_prompt(probe),
               height=height, width=width, num_frames=frames, num_inference_steps=steps,
               guidance_scale=bench_spec.guidance, output_type="np")
    if not gpu:
        job["max_sequence_length"] = 16

    rows: list[dict] = []
    for model in models:
        for profile in profiles:
            if time.perf_counter() - began > args.budget_s:
                rows.append(dict(model=model, profile=profile, preset="-", note="skipped: time budget"))
                continue
            pipe = engine = None
            try:
                if gpu:
                    pipe = full_size_wan("cuda" if profile in ("gpu", "fp8") else "cpu", torch.bfloat16)
                    apply_profile(pipe, profile, device)
                else:
                    pipe = tiny_wan(Path(folder))
                time_plain(pipe, {**job, "num_inference_steps": 2}, device, "warm-up")
                plain = min((time_plain(pipe, job, device, "plain") for _ in range(repeats)), key=lambda t: t.total_s)
                engine = engine_for(pipe, bench_spec, folder, device, dtype_name, profile)
                for preset in presets:
                    if time.perf_counter() - began > args.budget_s:
                        rows.append(dict(model=model, profile=profile, preset=preset, note="skipped: time budget"))
                        continue
                    # quality: the same steps as the plain call (the overhead row); balanced/fast: the preset's own.
                    request = request_for(width, height, frames, fps, steps if preset == "quality" else None, folder,
                                          profile, speed=preset)
                    try:
                        time_engine(engine, request, device, "warm-up")  # compiles, arms caches
                        ours = min((time_engine(engine, request, device, "engine") for _ in range(repeats)),
                                   key=lambda t: t.total_s)
                    except torch.OutOfMemoryError:
                        raise
                    except Exception as exc:  # one preset failing (a compile error) must not cost the table
                        rows.append(dict(model=model, profile=profile, preset=preset,
                                         note=f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}"))
                        continue
                    rows.append(dict(model=model, profile=profile, preset=preset, steps=ours.steps,
                                     plain_s=round(plain.total_s, 3), engine_s=round(ours.total_s, 3),
                                     plain_step_s=round(plain.step_s, 4), engine_step_s=round(ours.step_s, 4),
                                     overhead_pct=round((ours.total_s - plain.total_s) / plain.total_s * 100, 2)
                                     if preset == "quality" else None,
                                     speedup=round(plain.total_s / ours.total_s, 3),
                                     plain_peak_gb=plain.peak_gb, engine_peak_gb=ours.peak_gb, settings=ours.settings))
                if args.speedups and profile == profiles[0]:
                    print_table("Speed-ups of plain diffusers (ratio of plain end-to-end time; >1 is faster)",
                                speedups(pipe, job, device, plain), ["variant", "s/step", "end-to-end s", "speed-up"])
            except torch.OutOfMemoryError:
                rows.append(dict(model=model, profile=profile, preset="-", note="out of memory"))
            finally:
                if engine is not None:
                    engine.unload()
                del pipe, engine
                gc.collect()
                if gpu:
                    torch.cuda.empty_cache()

    def gb(x):
        return "n/a" if x is None else f"{x:.1f}"

    table = []
    for r in rows:
        if "note" in r:
            table.append([r["model"], r["profile"], r["preset"], r["note"], "", "", "", "", "", ""])
            continue
        table.append([r["model"], r["profile"], r["preset"], str(r["steps"]), f"{r['plain_s']:.2f}",
                      f"{r['engine_s']:.2f}", "" if r["overhead_pct"] is None else f"{r['overhead_pct']:+.1f}%",
                      f"{r['speedup']:.2f}x", f"{gb(r['plain_peak_gb'])} / {gb(r['engine_peak_gb'])}", r["settings"]])
    print_table("Seconds per clip: plain diffusers (same arguments) vs Studio's engine per speed preset "
                "(best of %d)" % repeats, table,
                ["model", "profile", "preset", "steps", "plain s/clip", "engine s/clip", "engine overhead",
                 "speed-up vs plain", "peak VRAM GB (plain / engine)", "preset settings"])
    print("\nengine overhead (quality row: same steps, no cache) = (engine - plain) / plain; it includes prompt "
          "composition, progress and preview callbacks, frame conversion and the Sketch sound design. "
          "speed-up vs plain = plain s / engine s for the preset (its cache and step count).")
    if not gpu:
        print("smoke mode: the tiny model's calls take milliseconds, so on a shared CPU these figures are mostly "
              "scheduling noise; it checks the script runs. The GPU mode gives the real table.")
    if args.json:
        import json

        Path(args.json).write_text(json.dumps({"device": torch.cuda.get_device_name() if gpu else "cpu",
                                               "frames": frames, "size": [width, height], "rows": rows}, indent=2))
    print(f"\ntotal {time.perf_counter() - began:.0f} s")
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
