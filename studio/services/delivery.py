"""Delivery presets: the export in the shape each platform or broadcaster asks for.

Same program as `studio.services.export` (selected takes, watermark, stem mix), with
the canvas, codec and loudness of a preset. What carries the content credentials:

- MP4 (H.264, H.265, AV1) and MOV (ProRes): the recipe as container metadata and a
  signed C2PA manifest (both are ISO BMFF files, which C2PA signs).
- PNG sequence: the recipe in every PNG's text chunk and in metadata.json beside the
  frames; **no C2PA manifest** (Studio does not sign image sequences frame by frame).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from studio import APP_NAME, __version__
from studio.domain.model import Canvas, Project
from studio.engine.protocol import CancelledError, CancelToken
from studio.media._atomic import partial_path
from studio.media.delivery import CODECS, write_png_sequence, write_video
from studio.media.errors import ExportCancelled
from studio.provenance.content_credentials import sign_export
from studio.provenance.recipe import RECIPE_KEY, build_recipe
from studio.services.cameo_credits import consent_reference
from studio.services.export import ExportOptions, _program_frames, ensure_takes, export_canvas, master_program


@dataclass(frozen=True)
class DeliveryPreset:
    name: str
    label: str
    size: tuple[int, int] | None
    """Width, height; None keeps the project's canvas."""
    loudness_lufs: float
    true_peak_db: float
    codec: str = "h264"


PRESETS: dict[str, DeliveryPreset] = {
    "vertical": DeliveryPreset("vertical", "Vertical short-form (1080×1920, −14 LUFS)", (1080, 1920), -14.0, -1.0),
    "youtube": DeliveryPreset("youtube", "YouTube (1920×1080, −14 LUFS)", (1920, 1080), -14.0, -1.0),
    "ebu-r128": DeliveryPreset("ebu-r128", "Broadcast, EBU R128 (−23 LUFS, −1 dBTP)", (1920, 1080), -23.0, -1.0),
    "atsc-a85": DeliveryPreset("atsc-a85", "US broadcast, ATSC A/85 (−24 LKFS, −2 dBTP)", (1920, 1080), -24.0, -2.0),
}

CREDENTIALS = {
    "h264": "recipe + signed C2PA manifest",
    "h265": "recipe + signed C2PA manifest",
    "av1": "recipe + signed C2PA manifest",
    "prores": "recipe + signed C2PA manifest",
    "png": "recipe in each PNG and metadata.json; no C2PA manifest",
}


@dataclass(frozen=True)
class DeliveryReport:
    path: Path
    codec: str
    canvas: Canvas
    frames: int
    loudness_lufs: float
    true_peak_db: float
    signed: bool
    project: Project


def deliver(project: Project, bundle: Path, destination: Path, *, preset: str | None = None, codec: str | None = None,
            size: tuple[int, int] | None = None, cancel: CancelToken | None = None) -> DeliveryReport:
    """Write the program with a preset's canvas and loudness and the chosen codec (default H.264).

    ``size`` overrides the preset's canvas (tests use small ones). The destination is a
    file (.mp4, or .mov for ProRes) or, for ``codec="png"``, a new folder.
    """
    cancel = cancel or CancelToken()
    spec = PRESETS[preset] if preset else None
    codec = codec or (spec.codec if spec else "h264")
    if codec not in CODECS and codec != "png":
        raise ValueError(f"unknown codec {codec!r}; choose one of {', '.join([*CODECS, 'png'])}")
    shots = list(project.shots)
    if not shots:
        raise ValueError("nothing to deliver: the storyboard has no shots")
    project, _ = ensure_takes(project, bundle, shots, cancel=cancel)
    takes = [(project.shot(s.id), project.shot(s.id).selected_take) for s in shots]
    w, h = size or (spec.size if spec and spec.size else (export_canvas(project, None).width, export_canvas(project, None).height))
    canvas = Canvas(w, h)
    options = ExportOptions(loudness_lufs=spec.loudness_lufs if spec else -14.0,
                            true_peak_db=spec.true_peak_db if spec else -1.0)
    # Mastered in blocks (`master_program`); a video codec reads them forward, the PNG sequence's WAV whole.
    sound = master_program(bundle, takes, project.fps, options,  # type: ignore[arg-type]
                           audio_codec=CODECS[codec].audio if codec in CODECS else "pcm")
    lufs, peak = sound.lufs, sound.true_peak_db
    recipe = build_recipe(project, takes)  # type: ignore[arg-type]
    metadata = {RECIPE_KEY: recipe, "title": project.title, "encoder_app": f"{APP_NAME} {__version__}",
                "comment": f"Made with {APP_NAME} {__version__}; AI-generated video (watermarked).", "ai_generated": "true"}
    total = sum(s.duration_frames for s, _ in takes)
    frames = _program_frames(bundle, takes, canvas, project.fps, project)  # type: ignore[arg-type]
    destination = Path(destination).absolute()
    try:
        if codec == "png":
            path = write_png_sequence(destination, frames, width=w, height=h, audio=sound.array(), fps=project.fps,
                                      metadata=metadata, frame_count=total, should_cancel=lambda: cancel.cancelled)
            return DeliveryReport(path, codec, canvas, total, lufs, peak, False, project)
        unsigned = partial_path(destination)
        try:
            write_video(unsigned, frames, codec=codec, fps=project.fps, width=w, height=h, audio=sound.blocks(),
                        metadata=metadata, frame_count=total, should_cancel=lambda: cancel.cancelled)
            path = sign_export(unsigned, destination, project, takes, recipe_text=recipe,  # type: ignore[arg-type]
                               consent=consent_reference)
        finally:
            try:
                unsigned.unlink(missing_ok=True)
            except OSError:
                pass
    except ExportCancelled:
        raise CancelledError() from None
    finally:
        sound.close()
    return DeliveryReport(Path(path), codec, canvas, total, lufs, peak, True, replace(project))


def embed_captions(path: Path, project: Project, bundle: Path, shots=None) -> int:
    """Add a ``mov_text`` caption track to an exported MP4 and sign it again; returns the cue count.

    Adding a track changes the file, so the old credentials would no longer verify: the
    file is remuxed (nothing re-encoded) and the manifest signed anew over the result.
    """
    from studio.interchange.captions import caption_cues, is_japanese, wrap_caption

    shots = list(project.shots) if shots is None else list(shots)
    cues = caption_cues(project, bundle, shots)
    language = "jpn" if any(is_japanese(c.text) for c in cues) else "eng"
    path = Path(path).absolute()
    remuxed = partial_path(path)
    try:
        from studio.media.delivery import remux_with_captions

        remux_with_captions(path, remuxed, [(c.start, c.end, "\n".join(wrap_caption(c.text))) for c in cues],
                            language=language)
        from studio.media.decode import read_metadata

        takes = [(s, s.selected_take) for s in shots]
        recipe = read_metadata(remuxed).get(RECIPE_KEY) or build_recipe(project, takes)  # type: ignore[arg-type]
        sign_export(remuxed, path, project, takes, recipe_text=recipe, consent=consent_reference)  # type: ignore[arg-type]
    finally:
        try:
            remuxed.unlink(missing_ok=True)
        except OSError:
            pass
    return len(cues)
