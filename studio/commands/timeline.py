"""`studio timeline export PROJECT -o FILE` and `studio timeline import FILE (-o NEW.studio | --into PROJECT)`.

Hand-off to editors: the cut as an OpenTimelineIO timeline (.otio, .otioz, .xml for
FCP 7 / Premiere / Resolve, .fcpxml, .edl, .kdenlive), and an editor's cut back.
"""

from __future__ import annotations

from pathlib import Path

from studio.commands import UserError, check_output, project_with_shots


def register(sub) -> None:
    p = sub.add_parser("timeline", help="hand the cut to an editor (OpenTimelineIO) and bring a re-cut back",
                       description="Export the storyboard as a timeline for DaVinci Resolve, Premiere, Final Cut or "
                       "Kdenlive, or import a timeline as a new project or as a re-cut of this one.")
    tsub = p.add_subparsers(dest="timeline_command", required=True)
    e = tsub.add_parser("export", help="write the cut as a timeline file (format by extension)",
                        description="Write the cut as .otio, .otioz (media bundled), .xml (FCP 7 / Premiere / "
                        "Resolve), .fcpxml, .edl (CMX 3600) or .kdenlive; the takes' videos and 48 kHz WAV stems "
                        "go in a folder beside it (FILE_media/). Shots with no current take are rendered first.")
    e.add_argument("project", type=Path)
    e.add_argument("-o", "--output", type=Path, required=True, help="the timeline file to write")
    e.set_defaults(func=run_export)
    i = tsub.add_parser("import", help="make a project from a timeline, or apply a re-cut to a project",
                        description="Read any timeline OpenTimelineIO reads. -o makes a new project (a clip becomes "
                        "a shot); --into applies an editor's re-cut to the project it came from (order, trims, "
                        "durations; new clips become shots; removed clips are reported and kept).")
    i.add_argument("file", type=Path)
    dest = i.add_mutually_exclusive_group(required=True)
    dest.add_argument("-o", "--output", type=Path, help="the new project to make (NAME.studio)")
    dest.add_argument("--into", type=Path, help="the project to re-cut")
    i.add_argument("--fps", type=int, default=None, help="the new project's frame rate (default: the timeline's)")
    i.set_defaults(func=run_import)


def run_export(args) -> int:
    from studio.interchange.timeline import TimelineError, export_timeline, timeline_format
    from studio.services.export import ensure_takes

    try:
        timeline_format(args.output)
    except TimelineError as exc:
        raise UserError(str(exc)) from None
    check_output(args.output, what="a timeline")  # before any shot renders, not after
    bundle, project = project_with_shots(args.project, nothing="no cut to export")
    project, rendered = ensure_takes(project, bundle, list(project.shots))  # saved (merged, under the lock) per take
    if rendered:
        print(f"Rendered {len(rendered)} shot(s) that had no current take.")
    try:
        report = export_timeline(project, bundle, args.output)
    except TimelineError as exc:
        raise UserError(str(exc)) from None
    where = f" (media in {report.media_folder})" if report.media_folder else " (media bundled inside)"
    print(f"Wrote {report.path}: {report.clips} clips{where}")
    return 0


def run_import(args) -> int:
    from studio.interchange.importing import apply_recut, import_new_project
    from studio.interchange.timeline import TimelineError
    from studio.persistence.bundle import ProjectFileError, bundle_path

    try:
        if args.output is not None:
            from studio.commands import new_bundle_destination

            destination = new_bundle_destination(str(args.output), force=False)
            if destination.exists():
                raise UserError(f"{destination}: the folder exists; choose a new project name")
            report = import_new_project(args.file, destination, fps=args.fps)
            print(f"Made {report.bundle}: {len(report.project.shots)} shots at {report.project.fps} fps, "
                  f"{sum(1 for s in report.project.shots if s.selected_take)} with media")
        else:
            if args.fps is not None:
                raise UserError("--fps is for a new project; a re-cut keeps the project's frame rate")
            report = apply_recut(args.file, bundle_path(args.into))
            print(f"Re-cut {report.bundle}: {len(report.moved)} moved, {len(report.retimed)} retimed, "
                  f"{len(report.added)} added, {len(report.removed)} not in the timeline (kept)")
    except (TimelineError, ProjectFileError) as exc:
        raise UserError(str(exc)) from None
    for note in report.notes:
        print(f"  note: {note}")
    return 0
