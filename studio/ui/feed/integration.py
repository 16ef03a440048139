"""How the feed joins the main window: a page, a toolbar action, and dropped Studio MP4s.

Kept beside the feed so the window itself needs one line: ``FeedIntegration(self)``.
A Studio MP4 dropped anywhere on the window (outside the timeline, which imports
clips) is added to the feed and opened as a new project from its recipe.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from studio.ui import i18n, theme
from studio.ui.i18n import tr

log = logging.getLogger(__name__)


def _dropped_mp4(mime) -> Path | None:
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith((".mp4", ".m4v", ".mov")):
            return Path(url.toLocalFile())
    return None


class FeedIntegration(QObject):
    """Adds the feed page and its action to ``window`` (a MainWindow) and handles dropped MP4s."""

    def __init__(self, window, my_cameo_ids: Callable[[], Iterable[str]] | None = None,
                 may_use_cameo: Callable[[str], bool] | None = None) -> None:
        from studio.services import cameo_credits

        super().__init__(window)
        self.window = window
        self.may_use_cameo = may_use_cameo or cameo_credits.may_use_cameo
        """cameo_id -> whether this user may put it back into a remix (default: the cameo vault's rule)."""
        self._my_cameo_ids = my_cameo_ids or cameo_credits.my_cameo_ids
        self._page = None  # built when first shown (or asked for): it is not on the path to the window's first frame
        self.action = QAction(theme.icon("feed"), "", window)
        self.action.setObjectName("feed")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.action.triggered.connect(lambda checked=False: self.show_feed())
        window.addAction(self.action)
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            actions = toolbar.actions()
            export = getattr(window, "act_export", None)
            after = actions[actions.index(export) + 1] if export in actions and actions.index(export) + 1 < len(actions) else None
            toolbar.insertAction(after, self.action) if after is not None else toolbar.addAction(self.action)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        window.pages.currentChanged.connect(self._page_changed)
        i18n.notifier.language_changed.connect(self._language_changed)
        self.retranslate()

    @property
    def page(self):
        """The feed page (a FeedPageWidget), built the first time it is needed."""
        if self._page is None:
            from studio.ui.feed.feed_page import FeedPageWidget

            self._page = FeedPageWidget(my_cameo_ids=self._my_cameo_ids)
            self.window.pages.addWidget(self._page)
            self._page.back_requested.connect(self.back)
            self._page.remix_requested.connect(self.remix)
            app = QApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(self._page.shutdown)
        return self._page

    def shutdown(self) -> None:
        if self._page is not None:
            self._page.shutdown()

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.action.setText(tr("Feed"))
        self.action.setToolTip(tr("Your videos as a feed: watch, like, comment, remix (Ctrl+Shift+F)"))

    def show_feed(self) -> None:
        self.window.pages.setCurrentWidget(self.page)

    def back(self) -> None:
        document = getattr(self.window, "document", None)
        self.window.pages.setCurrentIndex(1 if document is not None and document.is_open() else 0)

    def _page_changed(self, index: int) -> None:
        if self._page is None:
            return  # never shown: nothing to start or stop
        if self.window.pages.widget(index) is self._page:
            self._page.activate()
        else:
            self._page.deactivate()

    def remix(self, path: str | Path) -> Path | None:
        """Open the recipe inside the MP4 at ``path`` as a new project (cameos only with permission)."""
        from studio.services.feed_store import remix_video

        try:
            result = remix_video(Path(path), self.may_use_cameo)
        except Exception as exc:  # RecipeError, MediaError, OSError: one clear line, details in the log
            log.info("remix of %s failed", path, exc_info=True)
            self.window.show_message(tr("Could not remix {f}: {m}", f=Path(path).name, m=getattr(exc, "message", str(exc))),
                                     error=True)
            return None
        bundle = self.window._create(result.project)
        if bundle is not None and result.dropped_cameos:
            self.window.show_message(tr("Remixed into a new project; {n} cameo(s) were not carried over (no permission).",
                                        n=len(result.dropped_cameos)))
        elif bundle is not None:
            self.window.show_message(tr("Remixed into a new project: {p}", p=str(bundle)))
        return bundle

    def add_and_remix(self, path: Path) -> Path | None:
        """A dropped Studio MP4: keep it in the feed, then remix it."""
        try:
            self.page.store.add_file(path, source="imported")
        except Exception:
            log.info("could not add %s to the feed", path, exc_info=True)
        return self.remix(path)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.window:
            if event.type() in (QEvent.DragEnter, QEvent.DragMove) and _dropped_mp4(event.mimeData()) is not None:
                event.acceptProposedAction()
                return True
            if event.type() == QEvent.Drop:
                path = _dropped_mp4(event.mimeData())
                if path is not None:
                    event.acceptProposedAction()
                    self.add_and_remix(path)
                    return True
        return super().eventFilter(obj, event)
