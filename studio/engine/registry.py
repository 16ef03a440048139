"""Engines found by name. Built-in engines register lazily so importing the
registry never imports torch or diffusers."""

from __future__ import annotations

import importlib
from typing import Callable

from studio.engine.protocol import Engine, EngineError

# name -> "module:factory"; the factory is called once and the engine kept.
_BUILTIN: dict[str, str] = {
    "sketch": "studio.engine.sketch.engine:SketchEngine",
    "diffusers": "studio.engine.diffusion.engine:DiffusersEngine",
}
_factories: dict[str, Callable[[], Engine]] = {}
_instances: dict[str, Engine] = {}


def register(name: str, factory: Callable[[], Engine]) -> None:
    """Add (or replace) an engine factory under ``name``."""
    _factories[name] = factory
    _instances.pop(name, None)


def available() -> list[str]:
    return sorted(set(_BUILTIN) | set(_factories))


def get_engine(name: str) -> Engine:
    """The engine called ``name``, created on first use and kept."""
    if name in _instances:
        return _instances[name]
    factory = _factories.get(name)
    if factory is None and name in _BUILTIN:
        module, _, attr = _BUILTIN[name].partition(":")
        factory = getattr(importlib.import_module(module), attr)
    if factory is None:
        raise EngineError(f"unknown engine {name!r}", f"available engines: {', '.join(available())}")
    engine = factory()
    _instances[name] = engine
    return engine
