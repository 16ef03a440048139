"""The feed database: exports recorded with their cameos, likes, comments, filters, bad files."""

from __future__ import annotations

import sqlite3

import pytest

from studio.services.feed_store import FeedError, FeedStore, feed_audio_path, record_export


def add(store, tmp_path, name, cameos=(), created="2026-01-01T00:00:00+00:00"):
    path = tmp_path / f"{name}.mp4"
    path.write_bytes(b"not really a video")
    return store.add_video(path, title=name, seconds=2.0, width=720, height=1280, engines=["sketch 1.0"],
                           recipe="{}", cameos=cameos, created_at=created)


def test_videos_newest_first_with_likes_comments_and_cameos(tmp_path):
    db = tmp_path / "feed.sqlite3"
    with FeedStore(db) as store:
        a = add(store, tmp_path, "a", created="2026-01-01T10:00:00+00:00")
        b = add(store, tmp_path, "b", cameos=[("cameo_1", "Mei"), ("cameo_2", "Ken")], created="2026-01-02T10:00:00+00:00")
        assert [v.title for v in store.videos()] == ["b", "a"]
        assert store.toggle_like(a) is True
        store.add_comment(a, "  すてき  ")
        store.add_comment(a, "second")
    with FeedStore(db) as store:  # everything was saved
        va = store.video(a)
        assert va.liked and va.comment_count == 2 and va.engines == ("sketch 1.0",)
        assert [c.text for c in store.comments(a)] == ["すてき", "second"]
        assert store.video(b).cameos == ("cameo_1", "cameo_2")
        assert [v.id for v in store.videos_with_cameos(["cameo_2", "cameo_x"])] == [b]
        assert store.videos_with_cameos([]) == []
        assert store.toggle_like(a) is False and not store.video(a).liked


def test_re_export_to_the_same_path_keeps_likes_and_replaces_cameos(tmp_path):
    with FeedStore(tmp_path / "f.sqlite3") as store:
        first = add(store, tmp_path, "same", cameos=[("cameo_1", "Mei")])
        store.set_liked(first, True)
        again = add(store, tmp_path, "same", cameos=[])
        assert again == first and len(store.videos()) == 1
        v = store.video(first)
        assert v.liked and v.cameos == ()


def test_bad_comments_and_unknown_videos_are_refused_clearly(tmp_path):
    with FeedStore(tmp_path / "f.sqlite3") as store:
        vid = add(store, tmp_path, "v")
        with pytest.raises(FeedError, match="empty"):
            store.add_comment(vid, "   ")
        with pytest.raises(FeedError, match="limit"):
            store.add_comment(vid, "x" * 2001)
        with pytest.raises(FeedError, match="no video 999"):
            store.add_comment(999, "hello")
        with pytest.raises(FeedError, match="no video 999"):
            store.set_liked(999, True)
        assert store.comments(vid) == []


def test_missing_files_are_hidden_and_deleting_a_video_deletes_its_rows(tmp_path):
    with FeedStore(tmp_path / "f.sqlite3") as store:
        gone = add(store, tmp_path, "gone", cameos=[("cameo_1", "Mei")])
        store.add_comment(gone, "hi")
        (tmp_path / "gone.mp4").unlink()
        assert store.videos() == [] and len(store.videos(existing_only=False)) == 1
        store.remove(gone)
        db = sqlite3.connect(tmp_path / "f.sqlite3")
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM video_cameos").fetchone()[0] == 0


def test_a_broken_or_newer_database_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(FeedError, match="broken.sqlite3"):
        FeedStore(broken)
    assert broken.read_bytes().startswith(b"this is not a database")  # nothing lost
    newer = tmp_path / "newer.sqlite3"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.commit()
    with pytest.raises(FeedError, match="newer Studio"):
        FeedStore(newer)


def test_record_export_never_fails_an_export(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "feed.sqlite3").write_bytes(b"garbage" * 100)
    record = record_export(tmp_path / "x.mp4", title="x", seconds=1, width=2, height=2, project_id="p", engines=[],
                           recipe="", cameos=[], feed_path=folder / "feed.sqlite3")
    assert record.video_id is None and "cannot be opened" in record.note
    assert record.kept_in == folder / "feed_pending.jsonl" and record.kept_in.is_file()  # the entry is not lost


def test_feed_sound_is_extracted_once_from_a_real_export(tmp_path):
    import numpy as np

    from studio.media.audio_io import read_wav
    from studio.media.encode import write_mp4

    path = tmp_path / "tone.mp4"
    t = np.arange(48000) / 48000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    frames = (np.full((64, 64, 3), i * 10, np.uint8) for i in range(24))
    write_mp4(path, frames, fps=24, width=64, height=64, audio=np.stack([tone, tone], 1), frame_count=24)
    with FeedStore(tmp_path / "f.sqlite3") as store:
        vid = store.add_file(path)
        video = store.video(vid)
    assert video.source == "imported" and video.recipe == "" and video.cameos == () and abs(video.seconds - 1.0) < 0.1
    wav = feed_audio_path(video, tmp_path / "cache")
    samples, rate = read_wav(wav)
    assert rate == 48000 and abs(samples.shape[0] - 48000) < 2048
    assert 0.15 < np.abs(samples[4800:-4800]).max() < 0.45  # the tone, not silence
    mtime = wav.stat().st_mtime_ns
    assert feed_audio_path(video, tmp_path / "cache") == wav and wav.stat().st_mtime_ns == mtime  # cached


def test_the_feed_sound_cache_stays_small(tmp_path, monkeypatch):
    import os

    from studio.services import feed_store

    monkeypatch.setattr(feed_store, "AUDIO_CACHE_FILES", 3)
    cache = tmp_path / "cache"
    cache.mkdir()
    for i in range(6):
        f = cache / f"video_{i}.wav"
        f.write_bytes(b"x")
        os.utime(f, (1000 + i, 1000 + i))
    feed_store._prune_audio_cache(cache, keep=cache / "video_0.wav")
    assert sorted(p.name for p in cache.iterdir()) == ["video_0.wav", "video_3.wav", "video_4.wav", "video_5.wav"]
