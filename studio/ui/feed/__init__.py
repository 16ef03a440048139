"""The feed page (your renders as a vertical short-video feed) and its place in the window."""

from studio.ui.feed.feed_page import FeedItemWidget, FeedPageWidget
from studio.ui.feed.integration import FeedIntegration

__all__ = ["FeedIntegration", "FeedItemWidget", "FeedPageWidget"]
