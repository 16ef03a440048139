"""Subcommands of `studio` that live beside the core ones in cli.py.

Each module here defines ``register(sub)``, which adds its parsers to the
`argparse` subparsers of `studio` and sets ``func`` on each (a function that
takes the parsed arguments and returns an exit code). cli.py discovers the
modules, so a feature adds its commands without editing cli.py. Heavy imports
(torch, diffusers, dlib, c2pa) go inside the command functions, never at module
top level: `studio --help` must stay instant.

A problem the user can fix is raised as `UserError` (one line on stderr, exit 2);
an `EngineError`/`RenderFailed`-style exception with ``message`` and ``hint``
is printed as "message — hint" (exit 1).
"""

from __future__ import annotations

import importlib
import pkgutil


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def register_all(sub) -> None:
    """Call ``register(sub)`` of every module in this package, in name order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
