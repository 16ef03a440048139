"""Delivery presets, decoded back: codec, size, loudness measured on the delivered file, credentials."""

import json

import numpy as np
import pytest
from PIL import Image

from studio.media.decode import probe, read_all_frames, read_audio
from studio.provenance.content_credentials import verify_mp4
from studio.provenance.recipe import RECIPE_KEY, parse_recipe
from studio.services.delivery import PRESETS, deliver
from studio.sound.mix import measure_loudness
from tests.support.projects import small_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from studio.persistence.bundle import save_project
    from studio.services.export import ensure_takes

    folder = tmp_path_factory.mktemp("deliver")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_DATA_DIR", str(folder / "data"))
        mp.setenv("STUDIO_LOG_DIR", str(folder / "logs"))
        # Speech and a steady bed: dense sound that every loudness target can reach under its peak ceiling.
        project = small_project('Mei says "good morning to you all" {ambience: rain} {music: calm piano}',
                                'Mei says "see you soon" {ambience: rain} {music: calm piano}', frames=12, size=(128, 72))
        bundle = save_project(project, folder / "p")
        project, _ = ensure_takes(project, bundle, list(project.shots))
        save_project(project, bundle)
    return project, bundle


@pytest.mark.parametrize("preset,codec,suffix,expect", [
    ("vertical", "h264", ".mp4", ("h264", "aac", (1080, 1920))),
    ("youtube", "h265", ".mp4", ("hevc", "aac", (1920, 1080))),
    ("ebu-r128", "av1", ".mp4", ("av1", "aac", (1920, 1080))),
    ("atsc-a85", "prores", ".mov", ("prores", "pcm_s24le", (1920, 1080))),
])
def test_each_preset_decodes_back_with_its_codec_size_loudness_and_credentials(rendered, tmp_path, preset, codec, suffix, expect):
    project, bundle = rendered
    report = deliver(project, bundle, tmp_path / f"out{suffix}", preset=preset, codec=codec)
    info = probe(report.path)
    video, audio, size = expect
    assert info.video_codec in (video, "libdav1d") and info.audio_codec == audio
    assert (info.width, info.height) == size and info.frame_count == 24
    if codec == "prores":
        assert info.pix_fmt == "yuv422p10le"
    samples, sr = read_audio(report.path)
    lufs, peak = measure_loudness(samples)
    spec = PRESETS[preset]
    assert lufs == pytest.approx(spec.loudness_lufs, abs=1.0)
    assert peak <= spec.true_peak_db  # on the decoded file: mastering leaves room for what AAC adds
    assert parse_recipe(info.metadata[RECIPE_KEY]).shots[0].shot_id == project.shots[0].id
    check = verify_mp4(report.path)
    assert check.has_manifest and check.signature_valid and check.recipe_intact
    frame = read_all_frames(report.path)[5]
    assert frame.std() > 5  # a picture, not a blank


def test_png_sequence_carries_the_recipe_but_no_c2pa(rendered, tmp_path):
    project, bundle = rendered
    report = deliver(project, bundle, tmp_path / "frames", codec="png", size=(256, 144))
    names = sorted(p.name for p in report.path.iterdir())
    assert names[:2] == ["audio.wav", "frame_000000.png"] and len([n for n in names if n.endswith(".png")]) == 24
    image = Image.open(report.path / "frame_000023.png")
    assert image.size == (256, 144) and RECIPE_KEY in image.text
    assert json.loads((report.path / "metadata.json").read_text("utf-8"))["frames"] == 24
    assert report.signed is False
    assert np.asarray(image).std() > 5
