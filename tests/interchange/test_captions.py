"""Captions: timed to where each line is spoken in the exported mix, and wrapped the way readers expect."""

from dataclasses import replace

import pytest

from studio.domain.model import DialogueLine
from studio.interchange.captions import (
    NO_LINE_END,
    NO_LINE_START,
    Cue,
    caption_cues,
    parse_captions,
    speech_onsets,
    to_srt,
    to_vtt,
    wrap_caption,
    write_captions,
)
from studio.media.decode import read_audio
from studio.persistence.bundle import save_project
from tests.support.projects import small_project

JAPANESE = [
    "今日は大学に行って、ちょっとだけ勉強しました。「本当？」と聞かれた。",
    "ちょっと待ってください。わたしはきょうがっこうにいきませんでした。",
    "東京タワーの前で、ジュースを飲みながら、キャッチボールをしよう！",
]


@pytest.mark.parametrize("text", JAPANESE)
def test_japanese_lines_follow_kinsoku_and_keep_words_whole(text):
    lines = wrap_caption(text)
    assert "".join(lines) == text and len(lines) >= 2
    for line in lines:
        assert sum(2 if ord(c) > 0x2E80 else 1 for c in line) <= 32
        assert line[0] not in NO_LINE_START, lines
        assert line[-1] not in NO_LINE_END, lines
    joined = "|".join(lines)
    for word in ("聞かれた", "勉強しました", "ください", "ジュース", "キャッチボール"):
        if word in text:
            assert word in joined, lines  # never broken inside


def test_english_wraps_at_words_within_42_characters():
    text = "The quick brown fox jumps over the lazy dog and keeps on running far, far away."
    lines = wrap_caption(text)
    assert " ".join(lines) == text and all(len(l) <= 42 for l in lines) and len(lines) == 2


def test_srt_and_vtt_round_trip():
    cues = [Cue(0.2083, 1.5, "Good morning", "s"), Cue(3661.25, 3662.0, "今日は大学に行って、ちょっとだけ勉強しました。", "s")]
    srt, vtt = to_srt(cues), to_vtt(cues)
    assert "00:00:00,208 --> 00:00:01,500" in srt and "01:01:01,250 --> 01:01:02,000" in srt
    assert vtt.startswith("WEBVTT\n") and "01:01:01.250 --> 01:01:02.000" in vtt
    for text in (srt, vtt):
        parsed = parse_captions(text)
        assert [(round(a, 3), round(b, 3)) for a, b, _ in parsed] == [(0.208, 1.5), (3661.25, 3662.0)]
        assert parsed[1][2].replace("\n", "") == cues[1].text


@pytest.mark.slow
def test_captions_line_up_with_the_speech_in_the_exported_mix(tmp_path):
    from studio.services.export import export_project

    project = small_project("Mei walks in the park", "Mei drinks tea", "Mei runs home", frames=48, size=(128, 72))
    shots = list(project.shots)
    shots[0] = replace(shots[0], dialogue=(DialogueLine("Good morning, everyone.", "char_hero"),))
    shots[1] = replace(shots[1], dialogue=(DialogueLine("今日はちょっとだけ勉強しました。", "char_hero", 10),))
    shots[2] = replace(shots[2], dialogue=(DialogueLine("Wait.", "char_hero", 4), DialogueLine("Come back!", "char_hero", 26)))
    project = project.with_shots(shots)
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    cues = caption_cues(report.project, bundle)
    path = write_captions(cues, tmp_path / "out.srt")
    parsed = parse_captions(path.read_text("utf-8"))
    assert [t.replace("\n", "") for _, _, t in parsed] == [
        "Good morning, everyone.", "今日はちょっとだけ勉強しました。", "Wait.", "Come back!"]
    audio, sr = read_audio(report.path)
    onsets = speech_onsets(audio, sr)
    for start, end, text in parsed:
        nearest = min(onsets, key=lambda o: abs(o - start))
        assert abs(nearest - start) < 0.05, (text, start, onsets)
    # Each line appears in the shot that speaks it, never before the audio has it.
    starts = [s for s, _, _ in parsed]
    assert starts[0] < 2.0 <= starts[1] < 4.0 <= starts[2] < starts[3] < 6.0
    assert starts[1] >= 2.0 + 10 / 24 - 0.01 and starts[3] >= 4.0 + 26 / 24 - 0.01


@pytest.mark.slow
def test_embedded_captions_are_a_mov_text_track_and_the_file_stays_signed(tmp_path):
    import av

    from studio.provenance.content_credentials import verify_mp4
    from studio.services.delivery import embed_captions
    from studio.services.export import export_project

    project = small_project("Mei waves", frames=36, size=(128, 72))
    project = project.with_shots([replace(project.shots[0], dialogue=(DialogueLine("今日は大学に行って、ちょっとだけ勉強しました。", "char_hero", 6),))])
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    cues = caption_cues(report.project, bundle)
    assert embed_captions(report.path, report.project, bundle) == 1
    with av.open(str(report.path)) as c:
        assert [s.type for s in c.streams] == ["video", "audio", "subtitle"]
        sub = c.streams.subtitles[0]
        assert sub.codec_context.name == "mov_text" and sub.metadata.get("language") == "jpn"
        got = [(float(p.pts * p.time_base), bytes(p)[2:].decode("utf-8")) for p in c.demux(sub) if p.size > 2]
    assert len(got) == 1 and got[0][0] == pytest.approx(cues[0].start, abs=0.002)
    assert got[0][1].replace("\n", "") == cues[0].text and "\n" in got[0][1]
    check = verify_mp4(report.path)
    assert check.signature_valid and not check.altered and check.recipe_intact


def test_burned_captions_never_meet_the_watermark_and_draw_japanese_glyphs():
    import numpy as np

    from studio.media.burn import CaptionBurner, render_caption
    from studio.media.watermark import Watermark

    # Real glyphs, not tofu: two different kanji render to different pictures.
    a = np.asarray(render_caption(["今日"], 40))
    b = np.asarray(render_caption(["明日"], 40))
    assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).sum() > 1000
    width, height, fps = 320, 180, 24
    mark = Watermark(width, height, fps)
    burner = CaptionBurner(width, height, fps, [(0.0, mark.cycle_frames / fps, wrap_caption(JAPANESE[0]))], mark)
    frame = np.full((height, width, 3), 90, np.uint8)
    for index in range(mark.cycle_frames):  # every watermark position and move of the cycle
        out = burner(frame, index)
        box = burner.last_box
        assert box is not None, index
        x, y, w, h = box
        mx, my, mw, mh = mark.box(index)
        assert x + w <= mx or mx + mw <= x or y + h <= my or my + mh <= y, (index, box, mark.box(index))
        assert (out[y:y + h, x:x + w] > 200).any()  # white text drawn
        assert np.array_equal(out[my:my + mh, mx:mx + mw], frame[my:my + mh, mx:mx + mw])
