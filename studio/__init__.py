"""Studio: a local AI video studio."""

__version__ = "0.1.0"
APP_NAME = "Studio"
