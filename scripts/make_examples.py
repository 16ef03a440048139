"""Regenerate resources/examples/ (the bundled example projects). Run: .venv/bin/python scripts/make_examples.py"""

from pathlib import Path

from studio.domain.model import CameraMove, Canvas, Character, Project, Shot, SoundCue, SoundCueKind, StoryBible
from studio.persistence.bundle import save_project

ROOT = Path(__file__).resolve().parent.parent / "resources" / "examples"
FPS = 24
SECONDS = 4

STORIES = {
    "en": dict(
        title="A student's day",
        name="Mei",
        look="young woman, long black hair in a ponytail, navy coat, white shirt, red backpack, glasses",
        style="hand-drawn animatic, soft light",
        setting="a university town in Japan, autumn",
        shots=[
            ("morning walk", "In the morning @Mei walks to the university {ambience: birds}", CameraMove.PAN_RIGHT, "birds"),
            ("lecture", "@Mei attends a lecture in the classroom and takes notes", CameraMove.DOLLY_IN, "room"),
            ("night cafe", "At night @Mei studies in a cafe while rain falls outside: \"Just one more chapter.\" {ambience: rain}", CameraMove.ZOOM_IN, "cafe"),
        ],
    ),
    "ja": dict(
        title="学生の一日",
        name="メイ",
        look="若い女性、長い黒髪のポニーテール、紺のコート、白いシャツ、赤いリュック、眼鏡",
        style="手描きのアニマティック、柔らかい光",
        setting="日本の大学町、秋",
        shots=[
            ("朝の通学路", "朝、@メイが大学に向かって歩く {環境音: 鳥}", CameraMove.PAN_RIGHT, "birds"),
            ("授業", "@メイが教室で授業を受ける", CameraMove.DOLLY_IN, "room"),
            ("夜のカフェ", "夜、@メイがカフェで勉強する、外は雨「あと一章だけ」{環境音: 雨}", CameraMove.ZOOM_IN, "cafe"),
        ],
    ),
}


def main() -> None:
    for lang, story in STORIES.items():
        hero = Character(f"char_mei_{lang}", story["name"], story["look"])
        shots = tuple(
            Shot(
                id=f"shot_{lang}_{i + 1}",
                title=title,
                prompt=prompt,
                duration_frames=FPS * SECONDS,
                camera=camera,
                sound_cues=(SoundCue(SoundCueKind.AMBIENCE, bed),),
                characters=(hero.id,),
                seed=1000 + i,
            )
            for i, (title, prompt, camera, bed) in enumerate(story["shots"])
        )
        project = Project(
            id=f"project_student_day_{lang}",
            title=story["title"],
            fps=FPS,
            canvas=Canvas.from_aspect("16:9"),
            bible=StoryBible((hero,), style=story["style"], setting=story["setting"]),
            shots=shots,
            created_at="2026-11-25T00:00:00+00:00",
        )
        path = save_project(project, ROOT / f"student_day_{lang}.studio")
        (path / "media" / ".keep").write_text("")
        print("wrote", path)


if __name__ == "__main__":
    main()
