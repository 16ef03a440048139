"""Driving widgets like a user: synthetic drags and drops, mouse drags, waiting for jobs."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget


def drag_and_drop(widget: QWidget, mime: QMimeData, at: QPoint, via: QPoint | None = None) -> bool:
    """Enter, move (through ``via``) and drop ``mime`` at ``at``; True when the drop was accepted."""
    actions = Qt.CopyAction | Qt.MoveAction
    enter = QDragEnterEvent(via or at, actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    for p in ([via] if via else []) + [at]:
        move = QDragMoveEvent(p, actions, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(at), actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _mouse(widget: QWidget, kind, pos: QPoint, button, buttons, modifiers=Qt.NoModifier) -> None:
    local = QPointF(pos)
    glob = QPointF(widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, QMouseEvent(kind, local, glob, button, buttons, modifiers))


def mouse_drag(widget: QWidget, start: QPoint, end: QPoint, modifiers=Qt.NoModifier, steps: int = 6) -> None:
    """Press at ``start``, move in steps to ``end`` with the button held, release."""
    from PySide6.QtCore import QEvent

    _mouse(widget, QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton, modifiers)
    for i in range(1, steps + 1):
        p = QPoint(start.x() + (end.x() - start.x()) * i // steps, start.y() + (end.y() - start.y()) * i // steps)
        _mouse(widget, QEvent.MouseMove, p, Qt.NoButton, Qt.LeftButton, modifiers)
    _mouse(widget, QEvent.MouseButtonRelease, end, Qt.LeftButton, Qt.NoButton, modifiers)


def click(widget: QWidget, pos: QPoint, modifiers=Qt.NoModifier) -> None:
    from PySide6.QtCore import QEvent

    _mouse(widget, QEvent.MouseButtonPress, pos, Qt.LeftButton, Qt.LeftButton, modifiers)
    _mouse(widget, QEvent.MouseButtonRelease, pos, Qt.LeftButton, Qt.NoButton, modifiers)


def card_center(timeline, shot_id: str) -> QPoint:
    return timeline.card_rect(shot_id).center().toPoint()


def card_edge(timeline, shot_id: str) -> QPoint:
    r = timeline.card_rect(shot_id)
    return QPoint(int(r.right()), int(r.center().y()))
