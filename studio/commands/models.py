"""`studio models list|install|remove|verify [--json]`: the video and audio models on this machine.

    studio models list                 the catalogue, with what is installed
    studio models install ID           download into the Hugging Face cache (resumes)
    studio models remove ID            delete a model's files from the cache
    studio models verify ID|PATH       check every file is present and the index loads
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from studio.commands import UserError


def register(sub) -> None:
    p = sub.add_parser("models", help="list, install, remove or verify video models")
    msub = p.add_subparsers(dest="models_command")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])

    q = msub.add_parser("list", help="the model catalogue and what is installed")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_list)

    q = msub.add_parser("install", help="download a model into the Hugging Face cache (HF_HOME)")
    q.add_argument("model", help="a catalogue id (see studio models list)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_install)

    q = msub.add_parser("remove", help="delete a model's files from the cache")
    q.add_argument("model")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_remove)

    q = msub.add_parser("verify", help="check a model (catalogue id or folder) is whole")
    q.add_argument("model", help="a catalogue id or a diffusers model folder")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_models_verify)


def _fail(exc) -> UserError:
    hint = f" — {exc.hint}" if getattr(exc, "hint", "") else ""
    return UserError(f"{exc.message}{hint}")


def cmd_models_list(args: argparse.Namespace) -> int:
    from studio.services.models import list_models

    statuses = list_models()
    if args.json:
        print(json.dumps([s.as_dict() for s in statuses], ensure_ascii=False, indent=2))
        return 0
    print(f"{'model':<24} {'kind':<6} {'state':<14} {'size':>8}  {'native':<10} {'fps':>3}  sound  image  VRAM (GB) by profile")
    for s in statuses:
        spec = s.spec
        state = "installed" if s.installed else ("partial" if s.partial else "-")
        native = f"{spec.native_size[0]}x{spec.native_size[1]}" if spec.kind == "video" else f"≤{spec.max_seconds:g}s"
        fps = str(spec.fps) if spec.kind == "video" else ""
        image = "needs" if spec.needs_image else ("yes" if spec.can_start_from_image else "no")
        vram = ", ".join(f"{k} {v:g}" for k, v in spec.vram_gb.items())
        if vram:
            vram += "  (from configs)" if spec.vram_source == "configs" else "  (estimate)"
        print(f"{spec.id:<24} {spec.kind:<6} {state:<14} {spec.download_gb:>6.1f}GB  {native:<10} {fps:>3}  "
              f"{'yes' if spec.has_audio else 'no':<5}  {image:<5}  {vram}")
    return 0


def cmd_models_install(args: argparse.Namespace) -> int:
    from studio.services.models import DownloadCancelled, ModelError, install_model, require_spec

    try:
        spec = require_spec(args.model)
    except ModelError as exc:
        raise _fail(exc) from None
    tty = sys.stderr.isatty()
    t0 = time.monotonic()
    last = [-1]

    def progress(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 0
        if tty:
            rate = done / max(1e-6, time.monotonic() - t0) / 1e6
            sys.stderr.write(f"\rdownloading {spec.id}: {done / 1e9:6.2f} / {total / 1e9:.2f} GB ({pct:3d}%, {rate:.0f} MB/s)")
            sys.stderr.flush()
        elif pct // 10 != last[0] // 10:
            sys.stderr.write(f"downloading {spec.id}: {pct}%\n")
        last[0] = pct

    cancel = threading.Event()
    try:
        status = install_model(spec.id, progress=progress, cancel=cancel)
    except ModelError as exc:
        raise _fail(exc) from None
    except (KeyboardInterrupt, DownloadCancelled):
        cancel.set()
        raise UserError(f"download of {spec.id} stopped; run the same command to resume") from None
    finally:
        if tty:
            sys.stderr.write("\n")
    if args.json:
        print(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Installed {spec.id} in {status.path} ({status.size_on_disk / 1e9:.2f} GB)")
    return 0


def cmd_models_remove(args: argparse.Namespace) -> int:
    from pathlib import Path

    from studio.services.models import ModelError, remove_model

    if Path(args.model).exists():
        # Only the cache is Studio's to delete; a model folder the user made or copied stays theirs.
        raise UserError(f"{args.model}: a folder of your own, not a catalogue model; "
                        "`studio models remove` only deletes catalogue models from the cache (see studio models list)")
    try:
        freed = remove_model(args.model)
    except ModelError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps({"model": args.model, "freed_bytes": freed}))
    elif freed:
        print(f"Removed {args.model} ({freed / 1e9:.2f} GB freed)")
    else:
        print(f"{args.model} was not installed")
    return 0


def cmd_models_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from studio.services.models import ModelError, verify_model

    if Path(args.model).is_file():
        raise UserError(f"{args.model}: a file, not a model folder; give the folder that holds model_index.json")
    try:
        status = verify_model(args.model)
    except ModelError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
    elif status.installed:
        print(f"{args.model}: OK — every file present ({status.path})")
    elif status.path is None:
        print(f"{args.model}: not installed — run: studio models install {status.spec.id}")
    else:
        print(f"{args.model}: incomplete — " + "; ".join(status.problems))
    if status.installed:
        return 0
    return 1
