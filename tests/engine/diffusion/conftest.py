"""Tiny diffusers pipelines of every family, built once per test session."""

from __future__ import annotations

import pytest

from tests.support.tiny_models import BUILDERS


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """family -> folder of a saved tiny pipeline (wan, ltx, ltx2, cogvideox)."""
    root = tmp_path_factory.mktemp("tiny_models")
    return {family: build(root / family) for family, build in BUILDERS.items()}


@pytest.fixture(scope="session")
def engine():
    """One engine for the session, like the worker keeps one: pipelines stay loaded between tests."""
    from studio.engine.diffusion.engine import DiffusersEngine

    return DiffusersEngine()


@pytest.fixture(scope="session")
def tiny_audio_models(tmp_path_factory):
    """family -> folder of a saved tiny text-to-audio pipeline (stable_audio, audioldm2)."""
    from tests.support.tiny_models import AUDIO_BUILDERS

    root = tmp_path_factory.mktemp("tiny_audio_models")
    return {family: build(root / family) for family, build in AUDIO_BUILDERS.items()}
