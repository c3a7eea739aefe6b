"""The CJK font of the charts: WenQuanYi Micro Hei (文泉驿微米黑), from the project's own install.

The font file ships in the PyPI package `paperang-p2-fonts-cjk` (a dependency in pyproject.toml);
the font's own licence is Apache-2.0 (its name table says so), so it may be redistributed. Using
the installed file, never whatever happens to be on the machine, makes charts render the same on
every host and in the Docker image.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "wqy-microhei.ttc"
FAMILY = "WenQuanYi Micro Hei"


def font_path() -> Path:
    """The installed font file (a TrueType collection; its first face is the proportional one)."""
    return Path(str(files(FONT_PACKAGE) / "fonts" / FONT_FILE))


@cache
def register() -> str:
    """Add the font to matplotlib's font manager once; returns its family name."""
    from matplotlib import font_manager

    path = font_path()
    if not path.is_file():
        raise FileNotFoundError(f"CJK font missing: {path} (reinstall {FONT_PACKAGE})")
    font_manager.fontManager.addfont(str(path))
    return FAMILY
