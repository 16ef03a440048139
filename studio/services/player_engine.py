"""Preview playback: decoding off the UI thread, sound as the master clock.

A `PlaybackProgram` lists clips (a take's video and stems, or nothing yet) on
the program's frame timeline. `PlayerEngine` owns one thread that decodes
with PyAV, waits (on a condition, never a busy poll) until the clock reaches
each frame's time, shrinks the frame to the display size and emits it; the UI
only paints. The clock is the sound card's: frames are shown when their time
is at or before the number of samples the sound device has played. With no
sound device (or no PortAudio) playback is silent on a monotonic clock and
`audio_note` says so; it never fails for lack of one.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from PySide6.QtCore import QObject, Signal

from studio.domain.model import Project
from studio.domain.stems import STEM_NAMES, shot_stem_gains
from studio.domain.timing import SAMPLE_RATE, frame_to_sample

if TYPE_CHECKING:  # numpy is imported where samples are made, not on the way to the window's first frame
    import numpy as np

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the program


@dataclass(frozen=True)
class ProgramClip:
    shot_id: str
    start: int
    """First program frame of the clip."""
    frames: int
    video: Path | None
    """The take's video, or None when the shot has no take yet."""
    stems: tuple[Path, ...] = ()
    title: str = ""
    stem_names: tuple[str, ...] = ()
    """The stem each of ``stems`` is (dialogue, foley, ambience, music), in the same order."""
    stem_gains_db: tuple[tuple[str, float], ...] = ()
    """The shot's own balance (the stem mixer's, as the export mix applies it); absent stems are 0 dB."""


@dataclass(frozen=True)
class PlaybackProgram:
    clips: tuple[ProgramClip, ...]
    fps: int

    @property
    def total_frames(self) -> int:
        return sum(c.frames for c in self.clips)

    def clip_at(self, frame: int) -> tuple[ProgramClip, int] | None:
        """The clip showing program ``frame`` and the frame's index inside it."""
        for c in self.clips:
            if c.start <= frame < c.start + c.frames:
                return c, frame - c.start
        return None


def program_for(project: Project, bundle: Path | None, shot_ids: Sequence[str] | None = None) -> PlaybackProgram:
    """The selected takes of ``shot_ids`` (default: every shot) in storyboard order."""
    from studio.persistence.bundle import media_dir

    clips: list[ProgramClip] = []
    start = 0
    wanted = set(shot_ids) if shot_ids is not None else None
    for i, shot in enumerate(project.shots):
        if wanted is not None and shot.id not in wanted:
            continue
        take = shot.selected_take
        video = stems = None
        names: tuple[str, ...] = ()
        if take is not None and bundle is not None:
            video = media_dir(bundle) / take.video
            stems = tuple(media_dir(bundle) / f for _, f in take.stems)
            names = tuple(n for n, _ in take.stems)
            if not video.is_file():
                video = None
        gains = tuple(sorted(shot_stem_gains(shot.engine_settings).items()))
        clips.append(ProgramClip(shot.id, start, shot.duration_frames, video, stems or (), shot.display_title(i), names, gains))
        start += shot.duration_frames
    return PlaybackProgram(tuple(clips), project.fps)


def mix_program_audio(program: PlaybackProgram, lane_gains: dict[str, float] | None = None,
                      cache: dict[Path, np.ndarray] | None = None) -> np.ndarray:
    """All clips' stems summed at their places, cut to each clip's length (float32 S×2).

    Each stem is scaled by its shot's balance (``clip.stem_gains_db``) and by the
    monitoring gain of its lane (``lane_gains``: stem name -> linear, from mute/solo).
    ``cache`` keeps decoded stems between mixes of the same program.
    """
    import numpy as np

    from studio.media.audio_io import read_wav

    total = frame_to_sample(program.total_frames, program.fps)
    out = np.zeros((total, 2), np.float32)
    for clip in program.clips:
        a = frame_to_sample(clip.start, program.fps)
        b = frame_to_sample(clip.start + clip.frames, program.fps)
        shot_db = dict(clip.stem_gains_db)
        for k, stem in enumerate(clip.stems):
            name = clip.stem_names[k] if k < len(clip.stem_names) else ""
            gain = (lane_gains or {}).get(name, 1.0)
            db = shot_db.get(name, 0.0)
            gain *= 0.0 if db == -math.inf else 10 ** (db / 20)
            if gain == 0.0:
                continue
            samples = cache.get(stem) if cache is not None else None
            if samples is None:
                try:
                    samples, _ = read_wav(stem)
                except Exception as exc:
                    log.warning("stem %s unreadable: %s", stem, exc)
                    continue
                if cache is not None:
                    cache[stem] = samples
            n = min(b - a, samples.shape[0])
            out[a : a + n] += samples[:n] * gain if gain != 1.0 else samples[:n]
    np.clip(out, -1.0, 1.0, out=out)
    return out


# --------------------------------------------------------------------------- clocks and sound


class AudioOutput:
    """The master clock; this base is the silent one (monotonic time)."""

    note = ""
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        import numpy as np

        self._lock = threading.Lock()
        self._audio = np.zeros((0, 2), np.float32)
        self._pos = 0
        self._playing = False
        self._t0 = time.monotonic()
        self.volume = 1.0

    def set_audio(self, samples: np.ndarray) -> None:
        with self._lock:
            self._audio = samples

    def position(self) -> float:
        """Seconds of program played (the clock)."""
        with self._lock:
            if self._playing:
                return self._pos / self.sample_rate + (time.monotonic() - self._t0)
            return self._pos / self.sample_rate

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._pos = int(round(seconds * self.sample_rate))
            self._t0 = time.monotonic()

    def play(self) -> None:
        with self._lock:
            self._t0 = time.monotonic()
            self._playing = True

    def pause(self) -> None:
        pos = self.position()
        with self._lock:
            self._playing = False
            self._pos = int(round(pos * self.sample_rate))

    def close(self) -> None:
        pass


class SoundDeviceOutput(AudioOutput):
    """Sound through sounddevice; the samples handed to the device are the clock."""

    def __init__(self, stream_factory: Callable[..., object] | None = None) -> None:
        super().__init__()
        self._cb_pos = 0
        self._cb_time = time.monotonic()
        self._latency = 0.0
        if stream_factory is None:
            import sounddevice as sd  # OSError when PortAudio is missing

            stream_factory = sd.OutputStream
        self._stream = stream_factory(samplerate=SAMPLE_RATE, channels=2, dtype="float32", callback=self._callback)
        self._latency = float(getattr(self._stream, "latency", 0.0) or 0.0)
        self._stream.start()

    def _callback(self, outdata, frames, time_info, status) -> None:  # PortAudio's thread
        with self._lock:
            if not self._playing:
                outdata.fill(0)
                return
            chunk = self._audio[self._pos : self._pos + frames]
            n = chunk.shape[0]
            outdata[:n] = chunk * self.volume
            outdata[n:] = 0
            self._pos += frames
            self._cb_pos = self._pos
            self._cb_time = time.monotonic()

    def position(self) -> float:
        with self._lock:
            if not self._playing:
                return self._pos / self.sample_rate
            # Between callbacks the device keeps playing: interpolate, but never past the last block.
            since = min(time.monotonic() - self._cb_time, 0.05)
            heard = self._cb_pos / self.sample_rate - self._latency + since
            return max(self._start_s, heard)

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._pos = self._cb_pos = int(round(seconds * self.sample_rate))
            self._start_s = seconds
            self._cb_time = time.monotonic()

    def play(self) -> None:
        with self._lock:
            self._start_s = self._pos / self.sample_rate
            self._cb_pos = self._pos
            self._cb_time = time.monotonic()
            self._playing = True

    def pause(self) -> None:
        pos = self.position()
        with self._lock:
            self._playing = False
            self._pos = int(round(pos * self.sample_rate))

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            pass

    _start_s = 0.0


NO_SOUND_NOTE = "No sound device: playing without sound"


def open_audio_output() -> AudioOutput:
    """The sound card if there is one, else the silent clock with its note set."""
    try:
        return SoundDeviceOutput()
    except Exception as exc:  # OSError (no PortAudio), PortAudioError (no device), ...
        log.info("no sound output (%s); preview is silent", exc)
        out = AudioOutput()
        out.note = NO_SOUND_NOTE
        return out


# --------------------------------------------------------------------------- the engine


class _VideoCursor:
    """Sequential decoding of one file, reopened when asked to go back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._it: Iterator[np.ndarray] | None = None
        self.next_index = 0
        self.last: np.ndarray | None = None

    def frame(self, index: int) -> np.ndarray | None:
        from studio.media.decode import read_frames

        if self._it is None or index < self.next_index:
            self._it = read_frames(self.path)
            self.next_index = 0
            self.last = None
        while self.next_index <= index:
            try:
                self.last = next(self._it)
            except StopIteration:
                break  # a clip shorter than its shot holds its last frame
            self.next_index += 1
        return self.last


class PlayerEngine(QObject):
    """Plays a `PlaybackProgram`. Methods are called on the UI thread; signals arrive there queued."""

    frame_ready = Signal(int, object)
    """program frame, RGB uint8 array shrunk to the display size (None: no take for this frame)."""
    state_changed = Signal(bool)
    """playing?"""
    audio_note = Signal(str)
    """Empty when sound works; otherwise why it is silent."""
    position_changed = Signal(int)
    mix_changed = Signal()
    """A lane's mute or solo changed (`stem_gains` says the new monitoring gains)."""

    def __init__(self, parent: QObject | None = None, output_factory: Callable[[], AudioOutput] = open_audio_output,
                 *, start: bool = True) -> None:
        """``start=False``: the playback thread (which opens the sound device) waits for `start()`;
        the window starts it after its first frame is on screen."""
        super().__init__(parent)
        self._output_factory = output_factory
        self._output: AudioOutput | None = None
        self._cond = threading.Condition()
        self._program = PlaybackProgram((), 24)
        self._program_version = 0
        self._playing = False
        self._seek_to: int | None = 0
        self._loop = False
        self._stop = False
        self._display = (960, 540)
        self._volume = 1.0
        self._position = 0
        self._muted: set[str] = set()
        self._solo: set[str] = set()
        self._mix_version = 0
        self._thread = threading.Thread(target=self._run, name="studio-player", daemon=True)
        if start:
            self._thread.start()

    def start(self) -> None:
        """Start the playback thread (once; what it is asked meanwhile waits for it)."""
        if not self._thread.is_alive() and not self._stop:
            try:
                self._thread.start()
            except RuntimeError:  # started by another caller meanwhile
                pass

    # -- UI thread API
    @property
    def program(self) -> PlaybackProgram:
        return self._program

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> int:
        return self._position

    @property
    def loop(self) -> bool:
        return self._loop

    def note(self) -> str:
        return self._output.note if self._output is not None else ""

    def set_program(self, program: PlaybackProgram, position: int | None = None) -> None:
        with self._cond:
            self._program = program
            self._program_version += 1
            self._seek_to = min(position if position is not None else self._position, max(0, program.total_frames - 1))
            self._cond.notify_all()

    def set_display_size(self, width: int, height: int) -> None:
        with self._cond:
            self._display = (max(16, width), max(16, height))

    def set_loop(self, loop: bool) -> None:
        self._loop = loop

    def set_volume(self, volume: float) -> None:
        self._volume = min(1.0, max(0.0, volume))
        if self._output is not None:
            self._output.volume = self._volume

    # -- the monitoring mix: mute and solo per stem lane (the timeline's lane buttons)
    def is_muted(self, stem: str) -> bool:
        return stem in self._muted

    def is_solo(self, stem: str) -> bool:
        return stem in self._solo

    def set_stem_muted(self, stem: str, muted: bool) -> None:
        self._set_lane(self._muted, stem, muted)

    def set_stem_solo(self, stem: str, solo: bool) -> None:
        self._set_lane(self._solo, stem, solo)

    def _set_lane(self, which: set[str], stem: str, on: bool) -> None:
        if (stem in which) == on:
            return
        with self._cond:
            (which.add if on else which.discard)(stem)
            self._mix_version += 1
            self._cond.notify_all()
        self.mix_changed.emit()

    def stem_gains(self) -> dict[str, float]:
        """Linear monitoring gain per stem: 0 when muted, or when another lane is soloed and this one is not."""
        return {s: 0.0 if s in self._muted or (self._solo and s not in self._solo) else 1.0 for s in STEM_NAMES}

    def play(self) -> None:
        with self._cond:
            if self._program.total_frames == 0:
                return
            if self._position >= self._program.total_frames - 1 and self._seek_to is None:
                self._seek_to = 0
            self._playing = True
            self._cond.notify_all()
        self.state_changed.emit(True)

    def pause(self) -> None:
        with self._cond:
            self._playing = False
            self._cond.notify_all()
        self.state_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def seek(self, frame: int) -> None:
        with self._cond:
            total = self._program.total_frames
            self._seek_to = max(0, min(frame, max(0, total - 1)))
            self._position = self._seek_to
            self._cond.notify_all()

    def step(self, delta: int) -> None:
        if self._playing:
            self.pause()
        self.seek(self._position + delta)

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread.ident is not None:  # never started: nothing to join
            self._thread.join(3.0)
        if self._output is not None:
            self._output.close()

    # -- the player thread
    def _run(self) -> None:
        try:
            self._output = self._output_factory()
        except Exception as exc:
            log.warning("audio output failed (%s); silent", exc)
            self._output = AudioOutput()
            self._output.note = NO_SOUND_NOTE
        self._output.volume = self._volume
        self.audio_note.emit(self._output.note)
        out = self._output
        cursors: dict[Path, _VideoCursor] = {}
        stems: dict[Path, np.ndarray] = {}
        version = -1
        mix_version = -1
        was_playing = False
        shown = -1
        while True:
            with self._cond:
                if self._stop:
                    return
                program, playing, seek = self._program, self._playing, self._seek_to
                self._seek_to = None
                new_program = version != self._program_version
                new_mix = new_program or mix_version != self._mix_version
                version, mix_version = self._program_version, self._mix_version
                display = self._display
                gains = self.stem_gains()
            fps = program.fps
            if new_program:
                cursors = {}
                wanted = {p for c in program.clips for p in c.stems}
                stems = {p: a for p, a in stems.items() if p in wanted}
            if new_mix:
                try:
                    out.set_audio(mix_program_audio(program, gains, stems))
                except Exception as exc:
                    log.warning("preview sound failed: %s", exc)
                    import numpy as np

                    out.set_audio(np.zeros((0, 2), np.float32))
            if seek is not None:
                out.seek(seek / fps)
                shown = -1
                self._present(program, seek, cursors, display)
                shown = seek
            if playing and not was_playing:
                out.play()
            elif was_playing and not playing:
                out.pause()
            was_playing = playing
            total = program.total_frames
            if not playing or total == 0:
                with self._cond:
                    if (self._seek_to is None and not self._stop and self._playing == playing and version == self._program_version
                            and mix_version == self._mix_version):
                        self._cond.wait()
                continue
            clock = out.position() * fps
            target = int(clock)
            if target >= total:
                if self._loop:
                    with self._cond:
                        if self._seek_to is None:
                            self._seek_to = 0
                    continue
                with self._cond:
                    self._playing = False
                out.pause()
                was_playing = False
                self._present(program, total - 1, cursors, display)
                self.state_changed.emit(False)
                continue
            if target != shown:
                self._present(program, target, cursors, display)
                shown = target
            # Sleep (on this thread, woken by any command) until the clock reaches the next frame.
            wait = (target + 1 - out.position() * fps) / fps
            if wait > 0:
                with self._cond:
                    if (self._seek_to is None and self._playing and not self._stop and version == self._program_version
                            and mix_version == self._mix_version):
                        self._cond.wait(min(wait, 0.1))

    def _present(self, program: PlaybackProgram, frame: int, cursors: dict[Path, _VideoCursor], display: tuple[int, int]) -> None:
        self._position = frame
        found = program.clip_at(frame)
        image = None
        if found is not None and found[0].video is not None:
            clip, inner = found
            cursor = cursors.get(clip.video)
            if cursor is None:
                cursor = cursors[clip.video] = _VideoCursor(clip.video)
            try:
                image = cursor.frame(inner)
            except Exception as exc:
                log.warning("preview decode of %s failed: %s", clip.video, exc)
                image = None
            if image is not None:
                image = _shrink(image, *display)
        self.frame_ready.emit(frame, image)
        self.position_changed.emit(frame)


def _shrink(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    h, w = frame.shape[:2]
    scale = min(width / w, height / h)
    if scale >= 1:
        return frame
    import cv2

    return cv2.resize(frame, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
