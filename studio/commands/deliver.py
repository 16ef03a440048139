"""`studio deliver PROJECT -o FILE [--preset NAME] [--codec h264|h265|av1|prores|png]`: platform and broadcast deliveries."""

from __future__ import annotations

from pathlib import Path

from studio.commands import check_output, project_with_shots

PRESET_NAMES = ("vertical", "youtube", "ebu-r128", "atsc-a85")
CODEC_NAMES = ("h264", "h265", "av1", "prores", "png")
SUFFIX = {"h264": ".mp4", "h265": ".mp4", "av1": ".mp4", "prores": ".mov", "png": ""}


def register(sub) -> None:
    p = sub.add_parser("deliver", help="export for a platform or broadcaster (preset canvas, codec and loudness)",
                       description="Export the storyboard with a delivery preset: vertical (1080x1920, -14 LUFS), "
                       "youtube (1920x1080, -14 LUFS), ebu-r128 (-23 LUFS, -1 dBTP), atsc-a85 (-24 LKFS, -2 dBTP); "
                       "codecs H.264/H.265/AV1 in MP4, ProRes 422 HQ in MOV, or a PNG sequence (a folder). "
                       "MP4 and MOV carry the recipe and signed content credentials; a PNG sequence carries the "
                       "recipe in each PNG and metadata.json but no C2PA manifest.")
    p.add_argument("project", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="the file (.mp4, .mov for ProRes) or, for png, a new folder")
    p.add_argument("--preset", choices=PRESET_NAMES)
    p.add_argument("--codec", choices=CODEC_NAMES, default="h264")
    p.set_defaults(func=run_deliver)


def run_deliver(args) -> int:
    from studio.services.delivery import CREDENTIALS, deliver

    out: Path = args.output
    want = SUFFIX[args.codec]
    if want:
        check_output(out, suffixes=(want,), what=args.codec)
    else:
        check_output(out, what="a PNG sequence", new_folder=True)
    bundle, project = project_with_shots(args.project, nothing="nothing to deliver")
    report = deliver(project, bundle, out, preset=args.preset, codec=args.codec)
    print(f"Wrote {report.path} — {args.codec}, {report.canvas.width}x{report.canvas.height}, "
          f"{report.loudness_lufs:.1f} LUFS, peak {report.true_peak_db:.1f} dBTP; {CREDENTIALS[args.codec]}")
    return 0
