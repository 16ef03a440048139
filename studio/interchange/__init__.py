"""Interchange: the Project to and from OpenTimelineIO (no Qt).

Beside persistence in the layering: it reads and writes files outside the bundle
(timelines for editors) but never renders; the command layer makes the takes first.
OTIO's vocabulary throughout (timeline, track, clip, gap, marker, source range) and
its rational time; OTIO's adapters do the file formats.
"""
