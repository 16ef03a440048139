"""Capture sources: a webcam by index, a video file standing in for one, and the microphone.

Nothing is opened when a source is made: `CameraSource.open` and
`Microphone.start` are the only places that touch a device, so the caller
(the cameo enrolment) can make sure that happens only after consent.
"""

from __future__ import annotations

import os

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from studio.domain.errors import ExplainedError

log = logging.getLogger(__name__)


class CaptureUnavailable(ExplainedError):
    """A camera or microphone that cannot be used; ``message`` says which, ``hint`` what to do."""


@dataclass(frozen=True)
class CapturedFrame:
    image: np.ndarray
    """H×W×3 uint8 RGB."""
    t: float
    """Seconds since the capture started (file time for a file camera)."""


TEST_FILE_CAMERA_ENV = "STUDIO_TEST_CAMERA_FILES"
"""Set to 1 to let a video file stand in for the webcam (tests only; the window never offers it)."""


def file_cameras_allowed() -> bool:
    """Whether a video file may stand in for the webcam in the liveness check (``STUDIO_TEST_CAMERA_FILES=1``).

    A prepared video must not pass for a live person: outside tests the check reads a real camera only.
    """
    return os.environ.get(TEST_FILE_CAMERA_ENV) == "1"


class CameraSource:
    """A webcam (``"0"``, ``1``) or a video file path standing in for one."""

    def __init__(self, spec: str | int | Path) -> None:
        text = str(spec).strip()
        self.index: int | None = int(text) if text.isdigit() else None
        self.path: Path | None = None if self.index is not None else Path(text)
        self._cap = None
        self._started = 0.0
        self._i = 0
        self.fps = 0.0

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        return f"camera {self.index}" if self.index is not None else str(self.path)

    def open(self) -> "CameraSource":
        """Open the device or file; raises CaptureUnavailable with a reason."""
        import cv2

        if self.path is not None:
            if not self.path.is_file():
                raise CaptureUnavailable(f"camera file {self.path} does not exist", "give the path of a video file")
            cap = cv2.VideoCapture(str(self.path))
        else:
            cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            if self.path is not None:
                raise CaptureUnavailable(f"{self.path} cannot be read as a video", "use an MP4, MOV, MKV or AVI file")
            raise CaptureUnavailable(f"camera {self.index} could not be opened",
                                     "check it is connected and not used by another app, or use a video file instead")
        self._cap = cap
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
        self._started = time.monotonic()
        self._i = 0
        return self

    def read(self) -> CapturedFrame | None:
        """The next frame, or None at the end of a file (or when a webcam stops giving frames)."""
        import cv2

        if self._cap is None:
            raise RuntimeError("open() the camera first")
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            return None
        t = self._i / self.fps if self.is_file else time.monotonic() - self._started
        self._i += 1
        return CapturedFrame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t)

    def frames(self, duration: float, max_fps: float | None = None) -> Iterator[CapturedFrame]:
        """Frames until ``duration`` seconds; a file camera is thinned to at most ``max_fps``."""
        step = 1
        if self.is_file and max_fps and self.fps > max_fps:
            step = max(1, round(self.fps / max_fps))
        k = 0
        while True:
            frame = self.read()
            if frame is None or frame.t >= duration:
                return
            if k % step == 0:
                yield frame
            k += 1

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> "CameraSource":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()


class Microphone:
    """The default input device through sounddevice, recorded into memory (mono float32)."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self.sample_rate = sample_rate
        self._stream = None
        self._chunks: list[np.ndarray] = []
        self._lock = threading.Lock()

    @staticmethod
    def _sounddevice():
        try:
            import sounddevice
        except (ImportError, OSError) as exc:  # OSError: the PortAudio library is missing
            raise CaptureUnavailable("no microphone: the sound system (PortAudio) is not available",
                                     "install libportaudio2; the check will rely on the camera") from exc
        return sounddevice

    def start(self) -> "Microphone":
        """Open the default input and start recording; raises CaptureUnavailable when there is none."""
        sd = self._sounddevice()
        try:
            device = sd.query_devices(kind="input")
        except Exception as exc:
            raise CaptureUnavailable("no microphone was found", "plug one in, or go on: the check will rely on the camera") from exc
        if not device or int(device.get("max_input_channels", 0)) < 1:
            raise CaptureUnavailable("no microphone was found", "plug one in, or go on: the check will rely on the camera")

        def callback(indata, frames, time_info, status) -> None:
            with self._lock:
                self._chunks.append(indata[:, 0].copy())

        try:
            self._stream = sd.InputStream(samplerate=self.sample_rate, channels=1, dtype="float32", callback=callback)
            self._stream.start()
        except Exception as exc:
            self._stream = None
            raise CaptureUnavailable(f"the microphone could not be opened ({exc})", "close other apps using it, or go on without it") from exc
        return self

    def stop(self) -> np.ndarray:
        """Stop recording; returns everything recorded (mono float32)."""
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
        with self._lock:
            out = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
            self._chunks = []
        return out
