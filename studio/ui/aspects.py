"""The picture shapes a project can have, as the window names them (translated with `tr`)."""

ASPECT_LABELS = {"16:9": "16:9 landscape", "9:16": "9:16 vertical", "1:1": "1:1 square"}
