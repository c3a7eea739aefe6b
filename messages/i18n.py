"""Message catalogues: Simplified Chinese by default, English as the second locale."""

from __future__ import annotations

from collections.abc import Mapping

SUPPORTED = ("zh", "en")


class Catalog:
    """Texts of one feature, keyed by message id, then language."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        missing = [key for key, langs in texts.items() if set(SUPPORTED) - set(langs)]
        if missing:
            raise ValueError(f"texts missing a language: {missing}")
        self._texts = texts

    def __call__(self, key: str, lang: str, **values: object) -> str:
        template = self._texts[key].get(lang) or self._texts[key]["zh"]
        return template.format(**values) if values else template
