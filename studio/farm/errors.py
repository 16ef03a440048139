"""Farm failures that say what happened and what to do."""

from studio.domain.errors import ExplainedError


class FarmError(ExplainedError):
    """The farm could not run a render: ``message`` names the node and shot where it can."""


class FarmUnavailable(FarmError):
    """No cluster at the address, or Ray is not installed."""
