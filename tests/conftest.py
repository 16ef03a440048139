"""Shared test setup: headless Qt, a private log folder, and a few builders."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("STUDIO_LOG_DIR", str(tmp_path_factory.mktemp("logs")))


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Signing keys, the feed database and caches go to a test folder, never the user's."""
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def _file_cameras_for_tests(monkeypatch):
    """Test videos stand in for the webcam (the documented tests-only switch; users get real cameras only)."""
    monkeypatch.setenv("STUDIO_TEST_CAMERA_FILES", "1")
