"""Take masters: exactly the engine's frames, streamed, and never left half-written."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from studio.domain.model import CameraMove
from studio.engine.protocol import CancelToken, GenerateRequest, MasterSpool
from studio.engine.sketch.engine import SketchEngine
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot
from studio.media.decode import probe, read_all_frames
from studio.media.master import MasterWriter, is_lossless_master, write_master
from tests.support.projects import small_project


def _request(frames=20, size=(320, 180), camera=CameraMove.PAN_RIGHT):
    project = small_project("Mei runs through the rain in the park", size=size, frames=frames, camera=camera)
    return GenerateRequest.for_shot(project, project.shots[0])


def test_a_takes_master_decodes_to_exactly_the_engines_frames(tmp_path):
    request = _request()
    # The frames the renderer draws, held whole the old way: the reference.
    expected = ShotRenderer(plan_shot(ShotSpec.from_request(request))).render()
    result = SketchEngine().generate(request, lambda e: None, CancelToken(), sink=MasterSpool(tmp_path))
    master = result.master
    assert result.frames is None and master is not None, "the engine hands over a master, not an array"
    assert (master.frames, master.width, master.height, master.fps) == (20, 320, 180, 24)
    decoded = read_all_frames(master.path)
    assert decoded.shape == expected.shape
    assert decoded.tobytes() == expected.tobytes(), "no lossy round trip: byte for byte the engine's frames"
    assert np.array_equal(master.last_frame, expected[-1])
    info = probe(master.path)
    assert info.frame_count == 20 and info.fps == 24 and info.audio_codec is None
    assert is_lossless_master(master.path)
    assert master.frames_at([0, 7, 19]).keys() == {0, 7, 19}
    assert np.array_equal(master.frames_at([7])[7], expected[7])


def test_odd_sizes_and_noise_survive_exactly(tmp_path):
    rng = np.random.default_rng(3)
    frames = rng.integers(0, 256, (5, 37, 51, 3), dtype=np.uint8)  # worst case for a codec, odd sides
    master = write_master(tmp_path, iter(frames), 12)
    assert read_all_frames(master.path).tobytes() == frames.tobytes()


def test_the_last_frame_is_kept_though_the_caller_draws_over_its_buffer(tmp_path):
    """Engines draw into a few reused buffers (`ShotRenderer.stream`): the take keeps the frame it was given."""
    rng = np.random.default_rng(5)
    frames = rng.integers(0, 256, (4, 36, 50, 3), dtype=np.uint8)
    buffer = np.empty_like(frames[0])
    with MasterWriter(tmp_path, 50, 36, 24) as writer:
        for frame in frames:
            buffer[...] = frame
            writer.add(buffer)
        buffer[...] = 0  # the renderer's next frame, drawn after the last one was handed over
        master = writer.finish()
    assert np.array_equal(master.last_frame, frames[-1])
    assert read_all_frames(master.path).tobytes() == frames.tobytes()


def test_an_aborted_writer_and_a_dropped_master_leave_nothing(tmp_path):
    frames = np.zeros((3, 16, 16, 3), np.uint8)
    with pytest.raises(RuntimeError):
        with MasterWriter(tmp_path, 16, 16, 24) as writer:
            writer.add(frames[0])
            assert len(list(tmp_path.iterdir())) == 1 and writer.path.name.startswith(".take_master.partial-")
            raise RuntimeError("engine crashed")
    assert list(tmp_path.iterdir()) == []
    master = write_master(tmp_path, frames, 24)
    assert master.path.is_file()
    del master  # never adopted into a take: its file goes with it
    assert list(tmp_path.iterdir()) == []


def test_adopting_moves_the_file_and_pickling_carries_its_bytes(tmp_path):
    frames = np.arange(4 * 16 * 16 * 3, dtype=np.uint64).astype(np.uint8).reshape(4, 16, 16, 3)
    spool = tmp_path / "spool"
    spool.mkdir()
    master = write_master(spool, frames, 24)  # spooled elsewhere (the farm's case)
    copy = pickle.loads(pickle.dumps(master))  # a farm worker's result crossing to the submitter
    assert copy.path != master.path and copy.frames == 4
    dest = tmp_path / "take_0123456789ab.mp4"
    copy.adopt(dest)
    assert copy.path == dest and not copy.owned
    del copy
    assert dest.is_file(), "an adopted master belongs to the take"
    assert read_all_frames(dest).tobytes() == frames.tobytes()
    master.discard()
    assert not master.path.exists()
