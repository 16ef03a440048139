"""The feed page (your renders as a vertical short-video feed) and its place in the window.

The page itself (numpy, the feed database, a player) loads when first shown, not with the window.
"""

from studio.ui.feed.integration import FeedIntegration


def __getattr__(name: str):
    if name in ("FeedItemWidget", "FeedPageWidget"):
        from studio.ui.feed import feed_page

        return getattr(feed_page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FeedIntegration", "FeedItemWidget", "FeedPageWidget"]
