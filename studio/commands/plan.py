"""`studio plan TEXT [--json] [--project P]`: what Studio understood of a prompt.

Prints the scene plan every engine, the sound design and the window read: place,
time, weather, each actor with its kind, look and actions, and the words not
understood. With --project the prompt is read in that project's story bible.
"""

from __future__ import annotations

import json

from studio.commands import UserError


def register(sub) -> None:
    p = sub.add_parser("plan", help="print what Studio understood of a prompt (its scene plan)",
                       description="Print the scene plan of a prompt: place, time, weather, actors and their actions.")
    p.add_argument("text", help="the prompt, in English or Japanese")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--project", help="read the prompt in this project's story bible (NAME.studio)")
    p.set_defaults(func=run_plan)


def run_plan(args) -> int:
    """Print the plan of ``args.text``; exit 0."""
    from studio.understanding import plan_scene

    if not args.text.strip():
        raise UserError("the prompt is empty: give the text of a shot, e.g. studio plan \"a cat jumps down from the window\"")
    bible = None
    if args.project:
        from studio.persistence.bundle import load_project

        bible = load_project(args.project).bible
    plan = plan_scene(args.text, bible)
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(plan.summary())
    return 0
