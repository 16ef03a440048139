"""Contact sheets of issue 15's examples: each prompt exported to an MP4, six frames pulled back out of it.

    PYTHONPATH=. .venv/bin/python docs/plan_contact_sheets.py   # writes docs/scene_plan_examples.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.domain.model import Canvas, Character, Project, Shot, StoryBible  # noqa: E402
from studio.media.decode import read_frames  # noqa: E402
from studio.persistence.bundle import save_project  # noqa: E402
from studio.services.export import export_project  # noqa: E402
from studio.understanding import plan_scene  # noqa: E402

EXAMPLES = [
    ("A red ball falls and bounces on the wooden floor", ()),
    ("猫が窓から飛び降りる", ()),
    ("夜、雨の中で男がドアを開ける", ()),
    ("@Hana walks while it rains", ("char_hana",)),
    # New places and weather phrasings; a pronoun that is the cast character (two people, not three).
    ("寝室で猫がベッドで眠る", ()),
    ("小雨の中、駅で男が待つ", ()),
    ("Under a grey sky, a dog chases the ball in the park", ()),
    ("As snow falls, a girl opens the window of her bedroom", ()),
    ("She hands him the cup in the kitchen", ("char_hana",)),
]
HANA = Character("char_hana", "Hana", "long dark hair, yellow raincoat")


def main(out: Path = Path(__file__).with_name("scene_plan_examples.png")) -> None:
    rows = []
    bible = StoryBible((HANA,))
    for k, (prompt, cast) in enumerate(EXAMPLES):
        shot = Shot(id=f"shot_{k}", prompt=prompt, duration_frames=48, characters=cast, seed=7)
        project = Project("sheet", fps=24, canvas=Canvas(384, 216), bible=bible, shots=(shot,), id="project_sheet")
        with tempfile.TemporaryDirectory() as d:
            bundle = save_project(project, Path(d) / "p.studio")
            report = export_project(project, bundle, Path(d) / "out.mp4")
            frames = list(read_frames(report.path))
        picks = [frames[i] for i in np.linspace(0, len(frames) - 1, 6).round().astype(int)]
        strip = np.concatenate(picks, axis=1)
        label = np.full((26, strip.shape[1], 3), 250, np.uint8)
        plan = plan_scene(prompt, bible, tuple(c for c in bible.characters if c.id in cast))
        # cv2 draws ASCII only: the plan line (always English) says what the Japanese prompt was read as.
        cv2.putText(label, plan.summary()[:150], (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
        rows.append(np.concatenate([label, strip], axis=0))
    sheet = np.concatenate(rows, axis=0)
    cv2.imwrite(str(out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(out, sheet.shape)


if __name__ == "__main__":
    main()
