"""An imported video gets a soundtrack with stems: foley on its impacts, an ambience bed."""

from __future__ import annotations

import numpy as np

from studio.domain.timing import frame_to_sample
from studio.media.audio_io import read_wav
from studio.media.encode import write_mp4
from studio.persistence.bundle import media_path
from studio.services.qt_import import import_video
from studio.sound.analysis import audio_onsets
from studio.sound.mix import shot_stem_gains
from tests.sound.clips import bouncing_ball_clip, impact_soundtrack

FPS = 24
IMPACTS = [12, 29, 47, 66]
N = 80


def test_silent_clip_gets_foley_on_its_impacts(tmp_path):
    clip = tmp_path / "red_ball_bounce.mp4"
    write_mp4(clip, bouncing_ball_clip(IMPACTS, N), fps=FPS, width=320, height=180)
    bundle = tmp_path / "p.studio"
    shot = import_video(bundle, clip, fps=FPS)
    take = shot.selected_take
    assert dict(take.stems).keys() == {"foley", "ambience"}
    assert shot_stem_gains(shot.engine_settings) == {}  # designed sound plays
    foley, sr = read_wav(media_path(bundle, take.stem_file("foley")))
    ambience, _ = read_wav(media_path(bundle, take.stem_file("ambience")))
    assert foley.shape == ambience.shape == (frame_to_sample(N, FPS), 2)
    heard = audio_onsets(foley + ambience, sr) * FPS
    for f in IMPACTS:
        assert np.min(np.abs(heard - f)) <= 1.0, (f, heard)


def test_clip_with_its_own_sound_keeps_it_and_gets_muted_designed_stems(tmp_path):
    clip = tmp_path / "take.mp4"
    write_mp4(clip, bouncing_ball_clip(IMPACTS, N), fps=FPS, width=320, height=180,
              audio=impact_soundtrack(IMPACTS, N, FPS))
    shot = import_video(tmp_path / "p.studio", clip, fps=FPS)
    assert dict(shot.selected_take.stems).keys() == {"dialogue", "foley", "ambience"}
    gains = shot_stem_gains(shot.engine_settings)
    assert gains == {"foley": -np.inf, "ambience": -np.inf}
