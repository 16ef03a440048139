"""The `studio` command line.

    studio                         open the window (when a display is present)
    studio open PROJECT            open the window with PROJECT open
    studio new PATH [--story TEXT] make a project from a story or a template
    studio render PROJECT -o OUT   render missing takes and export a watermarked MP4
    studio info PROJECT_OR_MP4     describe a project, or a Studio MP4 and its recipe
    studio demo                    render the bundled example project

Bad input gives one clear line on stderr and a non-zero exit; tracebacks go to
the log file only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from studio import APP_NAME, __version__

log = logging.getLogger("studio")

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


from studio.commands import UserError, new_bundle_destination, save_new_bundle  # noqa: E402  (shared with the feature commands)


# --------------------------------------------------------------------------- helpers


def resources_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"


def example_project(lang: str = "en") -> Path:
    return resources_dir() / "examples" / f"student_day_{lang}.studio"


def log_file() -> Path:
    from platformdirs import user_log_dir

    folder = Path(os.environ.get("STUDIO_LOG_DIR") or user_log_dir("studio", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "studio.log"


def _setup_logging(verbose: bool) -> None:
    handlers: list[logging.Handler] = []
    try:
        handlers.append(logging.FileHandler(log_file(), encoding="utf-8"))
    except OSError:
        pass
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers or [logging.NullHandler()],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    # A full or vanished log folder must not print logging's own traceback over the command's output.
    logging.raiseExceptions = False


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal columns (Japanese characters take two)."""
    import unicodedata

    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


class ProgressBar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal).

    Stages may run at the same time (an export encodes while the next shot renders): each
    keeps its own percentage, the bar shows the newest stage with the others' percentages
    beside it, and the plain lines report each stage at every quarter.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._active: dict[str, tuple[int, float]] = {}  # stage -> (percent, start), newest last
        self._reported: dict[str, int] = {}
        self._drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        pct = int(100 * done / total)
        start = self._active.pop(stage, (0, time.monotonic()))[1]
        self._active[stage] = (pct, start)
        if self.tty:
            width = 28
            filled = int(width * done / total)
            elapsed = time.monotonic() - start
            others = "".join(f"  {_fit(s, 18)} {p:3d}%" for s, (p, _) in self._active.items() if s != stage)
            sys.stderr.write(f"\r{_fit(stage, 34):<34} [{'#' * filled}{'.' * (width - filled)}] {pct:3d}% "
                             f"{elapsed:5.1f}s{others}\x1b[K")
            sys.stderr.flush()
            self._drawn = True
        elif pct // 25 != self._reported.get(stage, -1) // 25 or (done == total and self._reported.get(stage) != 100):
            sys.stderr.write(f"{stage}: {pct}%\n")
            self._reported[stage] = pct
        if done >= total:
            del self._active[stage]

    def close(self) -> None:
        if self.enabled and self.tty and self._drawn:
            sys.stderr.write("\n")


def _fit(text: str, width: int) -> str:
    """``text`` in ``width`` characters, cut in the middle: a farm stage keeps its node ("… on 10.0.0.5/gpu0")."""
    if len(text) <= width:
        return text
    tail = width // 2
    return text[: width - tail - 1] + "…" + text[-tail:]


_SHOT_RANGE = re.compile(r"(\d+)(?:-(\d*))?")


def _shot_seconds(text: str) -> float:
    """argparse type of --shot-seconds: a finite length the timeline can hold (as the window allows)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (0.04 <= value <= 600):  # also false for NaN
        raise argparse.ArgumentTypeError(f"{text}: choose a shot length between 0.04 and 600 seconds")
    return value


MAX_SEED = 2**63 - 1
"""The largest seed a project file holds (studio.persistence.schema)."""


def _seed(text: str) -> int:
    """argparse type of --seed: a whole number the project file can store."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text}: choose a seed between 0 and {MAX_SEED}")
    return value


def _parse_shots(spec: str | None, project: Any) -> tuple[str, ...] | None:
    """--shots 1,3-4 (1-based positions), 3- (from 3 to the last shot) or shot ids."""
    if spec is None:
        return None
    if not isinstance(spec, str):  # Python 3.11's argparse turns `--shots=--` into an empty list
        spec = ",".join(map(str, spec)) or "--"
    ids: list[str] = []
    count = len(project.shots)
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if any(s.id == part for s in project.shots):
            ids.append(part)
            continue
        match = _SHOT_RANGE.fullmatch(part)
        if match is None:
            raise UserError(f"--shots {part!r}: not a shot position, range or id (use positions like 1,3-4 or 2-, or shot ids)")
        a = int(match.group(1))
        b = int(match.group(2)) if match.group(2) else (count if match.group(2) == "" else a)
        if not 1 <= a <= b <= count:
            raise UserError(f"--shots {part}: the project has shots 1..{count}")
        ids.extend(project.shots[i - 1].id for i in range(a, b + 1))
    if not ids:
        raise UserError(f"--shots {spec!r}: no shot given (use positions like 1,3-4 or shot ids)")
    return tuple(dict.fromkeys(ids))


# --------------------------------------------------------------------------- commands


def cmd_new(args: argparse.Namespace) -> int:
    from studio.domain.story import storyboard_from_story, template_project

    bundle = new_bundle_destination(args.path, force=args.force)
    if args.story is not None and args.story_file:
        raise UserError("give the story with --story or --story-file, not both")
    story = args.story
    if args.story_file:
        try:
            # utf-8-sig: Windows editors start UTF-8 files with a BOM, which would end up in the first prompt.
            story = Path(args.story_file).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise UserError(f"{args.story_file}: cannot read the story ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise UserError(f"{args.story_file}: the story is not UTF-8 text; save it as UTF-8 and try again") from None
    try:
        if story is not None:
            project = storyboard_from_story(
                story, title=args.title, aspect=args.aspect or "16:9", fps=args.fps, shot_seconds=args.shot_seconds
            )
        else:
            project = template_project(args.template, lang=args.lang, title=args.title, aspect=args.aspect, fps=args.fps,
                                       shot_seconds=args.shot_seconds)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    save_new_bundle(project, bundle)
    print(f"Created {bundle} — {len(project.shots)} shots, {project.canvas.width}x{project.canvas.height} at {project.fps} fps")
    for i, shot in enumerate(project.shots, 1):
        print(f"  {i}. {shot.display_title(i - 1)}: {shot.prompt}  [{shot.camera.value}, {shot.duration_frames / project.fps:g}s]")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from studio.persistence.bundle import bundle_path
    from studio.persistence.lock import bundle_lock

    bundle = bundle_path(args.project)
    # Read the project under the lock the export then holds: a save by the window (or another
    # render) cannot slip in between, so nothing it saved is written over.
    with bundle_lock(bundle, f"studio render {bundle.name} -o {Path(args.output).name}"):
        return _render_locked(args, bundle)


def _render_locked(args: argparse.Namespace, bundle: Path) -> int:
    from studio.commands import load_bundle
    from studio.engine.registry import available
    from studio.services.export import ExportOptions, export_project

    project = load_bundle(bundle)
    if args.engine and args.engine not in available():
        raise UserError(f"unknown engine {args.engine!r}; available: {', '.join(available())}")
    if not project.shots:
        raise UserError(f"{bundle}: the storyboard has no shots, so there is nothing to render; add shots first")
    out = Path(args.output)
    if out.suffix.lower() != ".mp4":
        raise UserError(f"{out}: the output must be an .mp4 file")
    if not out.parent.exists():
        raise UserError(f"{out.parent}: no such folder; create it first or write the MP4 elsewhere")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: is a file, not a folder; write the MP4 elsewhere")
    if out.is_dir():
        raise UserError(f"{out}: a folder with that name is in the way; choose another file name")
    shot_ids = _parse_shots(args.shots, project)
    _check_model_options(args, project, shot_ids)
    options = ExportOptions(
        aspect=args.aspect,
        quality=args.quality,
        loudness_lufs=args.loudness,
        shot_ids=shot_ids,
        engine=args.engine,
        seed=args.seed,
        model=getattr(args, "model", None),
        audio_model=getattr(args, "audio_model", None),
        engine_defaults=_engine_defaults(),
        farm=_farm_choice(args),
    )
    if getattr(args, "captions", None) == "burn":
        options, project = _with_burned_captions(options, project, bundle, shot_ids)
    bar = ProgressBar(enabled=not args.quiet)
    t0 = time.monotonic()
    try:
        report = export_project(project, bundle, out, options, progress=bar)
    finally:
        bar.close()
    elapsed = time.monotonic() - t0
    print(
        f"Wrote {report.path} — {report.frames} frames, {report.seconds:.2f}s, "
        f"{report.canvas.width}x{report.canvas.height} @ {report.fps} fps, "
        f"{report.loudness_lufs:.1f} LUFS, peak {report.true_peak_db:.1f} dBTP "
        f"({len(report.rendered_shots)} shot(s) rendered, {elapsed:.1f}s)"
    )
    if getattr(args, "captions", None):
        # Captions beside the MP4, timed from where each line is spoken in its take's dialogue stem.
        from studio.interchange.captions import caption_cues, write_captions

        chosen = [s for s in report.project.shots if shot_ids is None or s.id in shot_ids]
        if args.captions == "burn":
            print("Burned the captions into the picture (clear of the watermark)")
        elif args.captions == "embed":
            from studio.services.delivery import embed_captions

            count = embed_captions(report.path, report.project, bundle, chosen)
            print(f"Embedded {count} caption(s) as a mov_text track in {report.path} (signed again)")
        else:
            cues = caption_cues(report.project, bundle, chosen)
            written = write_captions(cues, out.with_suffix(f".{args.captions}"))
            print(f"Wrote {written} — {len(cues)} caption(s)")
    if report.feed_note:
        print(f"  note: {report.feed_note}", file=sys.stderr)
    if report.loudness_lufs == float("-inf"):
        print("  note: the sound is silent, so there was no loudness to bring to the target")
    elif report.loudness_lufs < args.loudness - 1.0:
        # The mix stops short of the target rather than crush sparse hits into the bed (studio.sound.mix).
        print(f"  note: {report.loudness_lufs:.1f} LUFS is below the {args.loudness:g} LUFS target: the sound is mostly "
              "quiet with a few loud hits, and reaching the target would flatten them under the true-peak ceiling")
    return EXIT_OK


def _farm_choice(args: argparse.Namespace) -> str | None:
    """--farm local / --farm ADDRESS, else $RAY_ADDRESS, else None (render in-process)."""
    from studio.farm.cluster import farm_address

    return farm_address(getattr(args, "farm", None))
def _with_burned_captions(options: Any, project: Any, bundle: Path, shot_ids: Any) -> tuple[Any, Any]:
    """Export options that draw the captions into the picture (the takes are rendered first to time them)."""
    from dataclasses import replace as _replace

    from studio.interchange.captions import caption_cues, wrap_caption
    from studio.media.burn import CaptionBurner
    from studio.persistence.bundle import save_project
    from studio.services.export import ensure_takes, export_canvas

    chosen = [s for s in project.shots if shot_ids is None or s.id in shot_ids]
    project, rendered = ensure_takes(project, bundle, chosen, engine=options.engine, seed=options.seed,
                                     defaults=options.engine_defaults)
    if rendered:
        save_project(project, bundle)
    canvas = export_canvas(project, options.aspect)
    cues = caption_cues(project, bundle, [project.shot(s.id) for s in chosen])
    burner = CaptionBurner(canvas.width, canvas.height, project.fps,
                           [(c.start, c.end, wrap_caption(c.text)) for c in cues])
    return _replace(options, frame_overlay=burner), project


def _check_model_options(args: argparse.Namespace, project: Any, shot_ids: tuple[str, ...] | None) -> None:
    """--model and --audio-model choose diffusers models: refuse them for shots another engine renders.

    Without this a Sketch render silently ignored them (and recorded the unused model in its takes).
    """
    flags = [f for f, v in (("--model", getattr(args, "model", None)), ("--audio-model", getattr(args, "audio_model", None))) if v]
    if not flags:
        return
    chosen = [s for s in project.shots if shot_ids is None or s.id in shot_ids]
    others = sorted({args.engine or s.engine for s in chosen} - {"diffusers"})
    if others:
        verb = "are" if len(flags) > 1 else "is"
        raise UserError(f"{' and '.join(flags)} {verb} for the diffusers engine, but these shots use the "
                        f"{', '.join(others)} engine; add --engine diffusers")


def _project_info(bundle: Path) -> dict[str, Any]:
    from studio.commands import load_bundle
    from studio.persistence.bundle import missing_media
    from studio.services.takes import take_media_usable

    p = load_bundle(bundle)
    from studio.services.cameo_casting import withdrawn_cameo_takes

    withdrawn = withdrawn_cameo_takes(p)  # asks the vault only about cameos the takes were rendered with
    return {
        "kind": "project",
        "path": str(bundle),
        "title": p.title,
        "fps": p.fps,
        "canvas": {"width": p.canvas.width, "height": p.canvas.height, "aspect": p.canvas.aspect},
        "frames": p.total_frames,
        "seconds": round(p.duration_seconds, 3),
        "characters": [{"id": c.id, "name": c.name, "look": c.look} for c in p.bible.characters],
        "style": p.bible.style,
        "setting": p.bible.setting,
        "shots": [
            {
                "index": i + 1,
                "id": s.id,
                "title": s.display_title(i),
                "prompt": s.prompt,
                "start_frame": p.start_frame(s.id),
                "frames": s.duration_frames,
                "camera": s.camera.value,
                "engine": s.engine,
                "seed": s.seed,
                "takes": len(s.takes),
                "selected_take": s.selected_take_id,
                # Cameos in the selected take that may not be exported now (revoked, not in this vault, expired).
                "withdrawn_cameos": withdrawn.get(s.selected_take_id or "", {}),
            }
            for i, s in enumerate(p.shots)
        ],
        "missing_media": missing_media(p, bundle),
        "shots_to_render": [i + 1 for i, s in enumerate(p.shots) if s.selected_take is None
                            or not take_media_usable(bundle, s.selected_take)],
    }


def _video_info(path: Path) -> dict[str, Any]:
    from studio.media.decode import probe
    from studio.provenance.recipe import RECIPE_KEY, RecipeError, parse_recipe

    info = probe(path)
    data: dict[str, Any] = {
        "kind": "video",
        "path": str(path),
        "video": {
            "codec": info.video_codec,
            "width": info.width,
            "height": info.height,
            "fps": float(info.fps),
            "frames": info.frame_count,
            "pix_fmt": info.pix_fmt,
        },
        "audio": {"codec": info.audio_codec, "sample_rate": info.sample_rate, "channels": info.channels}
        if info.audio_codec
        else None,
        "seconds": round(info.duration_seconds, 3),
        "ai_generated": info.metadata.get("ai_generated") == "true",
        "recipe": None,
    }
    raw = info.metadata.get(RECIPE_KEY)
    if raw:
        try:
            recipe = parse_recipe(raw)
            data["recipe"] = json.loads(raw)
            data["recipe_summary"] = {
                "title": recipe.project.title,
                "shots": len(recipe.shots),
                "engines": recipe.engines,
                "seeds": [s.recipe.seed for s in recipe.shots],
                "app_version": recipe.app_version,
            }
        except RecipeError as exc:
            data["recipe_error"] = str(exc)
    return data


def cmd_info(args: argparse.Namespace) -> int:
    target = Path(args.target)
    if not target.exists():
        raise UserError(f"{target}: no such file or project")
    is_project = target.is_dir() or target.name == "project.json"
    if target.is_dir() and not (target / "project.json").is_file() and target.suffix != ".studio":
        raise UserError(f"{target}: a folder, but not a Studio project (no project.json inside)")
    data = _project_info(target) if is_project else _video_info(target)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if data["kind"] == "project":
        c = data["canvas"]
        print(f"{data['title']} — {len(data['shots'])} shots, {data['seconds']}s, {c['width']}x{c['height']} ({c['aspect']}) @ {data['fps']} fps")
        for ch in data["characters"]:
            print(f"  cast: {ch['name']} — {ch['look']}")
        for s in data["shots"]:
            take = "take ✓" if s["selected_take"] else "no take"
            if s["withdrawn_cameos"]:
                take += " — cameo " + ", ".join(f"{c} {why}" for c, why in s["withdrawn_cameos"].items())
            print(f"  {s['index']:>2}. {_pad(s['title'], 24)} {s['frames'] / data['fps']:>5.2f}s  {s['camera']:<10} {s['engine']}/{s['seed']:<10} {take}")
        marked = [str(s["index"]) for s in data["shots"] if s["withdrawn_cameos"]]
        if marked:
            print(f"  warning: the selected take of shot(s) {', '.join(marked)} shows a cameo that was revoked (or is "
                  "not in this vault, or expired): `studio render` refuses to export it; remove the cameo from the "
                  "character in the story bible and the shot is rendered again without the face")
        broken = [s["index"] for s in data["shots"] if s["selected_take"] and s["index"] in data["shots_to_render"]]
        if broken:
            print(f"  warning: the selected take of shot(s) {', '.join(map(str, broken))} lost or damaged media files; "
                  "`studio render` renders them again")
        elif data["missing_media"]:
            print(f"  note: {len(data['missing_media'])} media file(s) of older, unselected takes are missing")
    else:
        v = data["video"]
        print(f"{data['path']}: {v['codec']} {v['width']}x{v['height']} @ {v['fps']:g} fps, {v['frames']} frames, {data['seconds']}s")
        a = data["audio"]
        print(f"  audio: {a['codec']} {a['sample_rate']} Hz, {a['channels']} ch" if a else "  audio: none")
        summary = data.get("recipe_summary")
        if summary:
            print(f"  Studio recipe: \"{summary['title']}\", {summary['shots']} shots, engines {', '.join(summary['engines'])}, seeds {summary['seeds']}")
        elif data.get("recipe_error"):
            print(f"  recipe: unreadable ({data['recipe_error']})")
        else:
            print("  no Studio recipe")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Copy the bundled example and render it: the README's first command."""
    source = example_project(args.lang)
    if not source.is_dir():
        raise UserError(f"the example project is missing from {source.parent}")
    out_dir = Path(args.output_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir}: is a file, not a folder; choose another --output-dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = out_dir / source.name
    if not bundle.exists():
        shutil.copytree(source, bundle)
    output = out_dir / f"{source.stem}.mp4"
    ns = argparse.Namespace(project=str(bundle), output=str(output), engine=None, shots=None, seed=None,
                            aspect=None, quality="standard", loudness=-14.0, quiet=args.quiet)
    return cmd_render(ns)


def cmd_open(args: argparse.Namespace) -> int:
    """The window (imported here so the command line never loads Qt)."""
    from studio.app import has_display, main as app_main

    project = getattr(args, "project", None)
    if project and not Path(project).exists():
        raise UserError(f"{project}: no such project")
    if not has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        raise UserError("no display: the window needs X11 or Wayland (the render, new and info commands work without one)")
    return app_main([sys.argv[0]], project)


def _engine_defaults() -> dict:
    """The choices saved in the window's settings that every render honours (the memory profile)."""
    from studio.services.settings import engine_settings, load_settings

    return engine_settings(load_settings())


# --------------------------------------------------------------------------- entry point


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (argparse prints the whole usage first)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from studio.domain.story import TEMPLATES

    TEMPLATE_IDS = [t.id for t in TEMPLATES]
    parser = OneLineArgumentParser(prog="studio", description=f"{APP_NAME}: a local AI video studio.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr as well as the log file")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("new", help="make a project from a story (or a template)")
    p.add_argument("path", help="project folder to create (NAME.studio)")
    p.add_argument("--story", help="the story: shots are cut at →, ->, line breaks, sentence ends, 'then', それから")
    p.add_argument("--story-file", help="read the story from a UTF-8 text file")
    p.add_argument("--title")
    p.add_argument("--aspect", choices=["16:9", "9:16", "1:1"], help="canvas (default 16:9, or the template's own)")
    p.add_argument("--fps", type=int, default=24, choices=[12, 15, 24, 25, 30, 48, 50, 60])
    p.add_argument("--shot-seconds", type=_shot_seconds, default=4.0, help="length of each shot (0.04 to 600 s)")
    p.add_argument("--template", default=TEMPLATE_IDS[0], choices=TEMPLATE_IDS,
                   help="without --story: the template to start from (" + ", ".join(TEMPLATE_IDS) + ")")
    p.add_argument("--lang", default="en", choices=["en", "ja"], help="without --story: the template's language")
    p.add_argument("--force", action="store_true", help="overwrite an existing project")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("render", help="render missing takes and export an MP4")
    p.add_argument("project")
    p.add_argument("-o", "--output", required=True, help="the MP4 to write")
    p.add_argument("--engine", help="render every exported shot again with this engine")
    p.add_argument("--shots", help="which shots: positions (1,3-4) or ids; default all")
    p.add_argument("--seed", type=_seed, help="render every exported shot again with this seed (0 or more)")
    p.add_argument("--model", help="render every exported shot again with this model: a catalogue id or a diffusers folder")
    p.add_argument("--audio-model", help="with --engine diffusers: a text-to-audio model (stable-audio-open-1.0, audioldm2 "
                   "or a folder) that voices the shots' sound cues, aligned to the picture")
    p.add_argument("--aspect", choices=["16:9", "9:16", "1:1"], help="export canvas (default: the project's)")
    p.add_argument("--quality", default="standard", choices=["draft", "standard", "high"])
    p.add_argument("--loudness", type=float, default=-14.0, choices=[-14.0, -16.0, -23.0], help="target LUFS")
    p.add_argument("--farm", metavar="local|ADDRESS", help="render missing takes on a Ray cluster: 'local' uses every GPU "
                   "of this machine, or an address ray.init accepts (host:6379, ray://host:10001); default $RAY_ADDRESS")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--captions", choices=["srt", "vtt", "embed", "burn"],
                   help="captions timed to the spoken lines: srt/vtt beside the MP4, embed as a mov_text track, "
                   "or burn into the picture (clear of the watermark)")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("info", help="describe a project or a Studio MP4")
    p.add_argument("target")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("open", help="open the window with a project")
    p.add_argument("project", nargs="?")
    p.set_defaults(func=cmd_open)

    p = sub.add_parser("demo", help="render the bundled example project (a student's day)")
    p.add_argument("--lang", default="en", choices=["en", "ja"])
    p.add_argument("--output-dir", default="out")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)

    from studio.commands import register_all

    register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    if args.command is None:
        from studio.app import has_display

        if not has_display():
            parser.print_help()
            return EXIT_OK
        args = argparse.Namespace(command="open", project=None, func=cmd_open, verbose=args.verbose)

    from studio.domain.errors import ExplainedError
    from studio.engine.protocol import CancelledError
    from studio.media.errors import MediaError
    from studio.persistence.bundle import ProjectFileError
    from studio.provenance.recipe import RecipeError

    try:
        return args.func(args)
    except UserError as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ProjectFileError, MediaError, RecipeError) as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except ExplainedError as exc:  # an engine, render, model, cameo or signing failure that says what to do
        hint = f" — {exc.hint}" if exc.hint else ""
        print(f"studio: error: {exc.message}{hint}", file=sys.stderr)
        return EXIT_FAIL
    except (CancelledError, KeyboardInterrupt):
        print("studio: cancelled; nothing was written to the destination", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValueError as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `studio info x | head`: the reader left; say nothing more (and keep Python from complaining at exit).
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except OSError as exc:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"studio: error: {where}{reason}", file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:  # a bug: the user gets one line, the log gets the traceback
        log.exception("unexpected error in %s", args.command)
        print(f"studio: internal error: {exc} (details in {log_file()})", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
