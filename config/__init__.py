"""Configuration: the Settings class and its accessor."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
