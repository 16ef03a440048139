"""Identity and quality measures on real photos: descriptors, the robust mean, yaw, mouth, advice."""

import cv2
import numpy as np
import pytest

from studio.cameo.faces import FaceAnalyzer, face_distance, robust_mean_embedding
from studio.cameo.quality import advice_text, frame_advice, session_advice, measure
from tests.cameo import camera_videos


@pytest.fixture(scope="module")
def analyzer():
    return FaceAnalyzer.shared()


def test_two_real_people_are_told_apart(analyzer):
    a = analyzer.analyse(camera_videos.astronaut_portrait())
    b = analyzer.analyse(camera_videos.hopper_portrait())
    assert len(a) == len(b) == 1
    assert face_distance(a[0].embedding, b[0].embedding) > 0.6
    # The same person mirrored is still the same person.
    m = analyzer.analyse(np.ascontiguousarray(camera_videos.astronaut_portrait()[:, ::-1]))
    assert face_distance(a[0].embedding, m[0].embedding) < 0.4


def test_robust_mean_rejects_a_stranger(analyzer):
    me = analyzer.analyse(camera_videos.astronaut_portrait())[0].embedding
    other = analyzer.analyse(camera_videos.hopper_portrait())[0].embedding
    rng = np.random.default_rng(1)
    mine = [me + rng.normal(0, 0.01, 128) for _ in range(8)]
    mean, keep = robust_mean_embedding(mine + [other, other])
    assert keep.tolist() == [True] * 8 + [False, False]
    assert face_distance(mean, me) < 0.05
    with pytest.raises(ValueError):
        robust_mean_embedding([])


def test_yaw_and_mouth_follow_the_acted_warps(analyzer):
    img = camera_videos.astronaut_portrait()
    lm = analyzer.analyse(img, embeddings=False)[0].landmarks
    rest = analyzer.analyse(img, embeddings=False)[0]
    right = analyzer.analyse(camera_videos.act(img, lm, turn=1.0), embeddings=False)[0]
    left = analyzer.analyse(camera_videos.act(img, lm, turn=-1.0), embeddings=False)[0]
    assert right.yaw > rest.yaw + 0.12 and left.yaw < rest.yaw - 0.12
    opened = analyzer.analyse(camera_videos.act(img, lm, jaw=1.0), embeddings=False)[0]
    assert opened.mouth_open > rest.mouth_open + 0.08


def test_quality_advice_names_the_problem(analyzer):
    img = camera_videos.astronaut_portrait()
    faces = analyzer.analyse(img, embeddings=False)
    assert frame_advice(img, faces) == ["good"]
    dark = (img * 0.2).astype(np.uint8)
    assert "dark" in frame_advice(dark, analyzer.analyse(dark, embeddings=False))
    bright = np.clip(img.astype(np.int32) + 150, 0, 255).astype(np.uint8)
    assert "bright" in frame_advice(bright, faces)
    blurred = cv2.GaussianBlur(img, (0, 0), 3)
    assert "blurry" in frame_advice(blurred, faces)
    far = np.full((960, 960, 3), 128, np.uint8)
    far[320:640, 320:640] = img
    far_faces = analyzer.analyse(far, embeddings=False)
    assert "closer" in frame_advice(far, far_faces)
    assert frame_advice(img, []) == ["no_face"]
    assert session_advice([measure(img, faces[0])] * 5, [0.0] * 5) == ["pose"]
    assert advice_text("closer") == "Move closer."
    assert advice_text("dark", "ja") == "もっと明るくしてください。"
