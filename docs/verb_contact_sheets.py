"""Contact sheets of people acting on things (kick, throw and catch, drop, pick up, open a door), pulled
back out of exported MP4s like docs/plan_contact_sheets.py does for issue 15's examples.

    PYTHONPATH=. .venv/bin/python docs/verb_contact_sheets.py   # writes docs/sketch_verbs_examples.png
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plan_contact_sheets as sheets  # noqa: E402

EXAMPLES = [
    ("A boy kicks a red ball", ()),
    ("She throws the yellow ball to him and he catches it", ()),
    ("女の子が黄色いボールを投げる", ()),
    ("男の子が黄色いコップを落とす", ()),
    ("He picks up the red ball", ()),
    ("女の子がドアを開ける", ()),
]

if __name__ == "__main__":
    sheets.EXAMPLES = EXAMPLES
    sheets.main(Path(__file__).with_name("sketch_verbs_examples.png"))
