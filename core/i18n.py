"""Bilingual user-facing text: every message exists in Chinese (default) and English.

Modules keep their own catalogs as `{key: {"zh": ..., "en": ...}}` and render
through `render`, so a missing translation fails loudly in tests rather than
showing a key to a user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["zh", "en"]
DEFAULT_LANG: Lang = "zh"

Catalog = Mapping[str, Mapping[str, str]]


def render(catalog: Catalog, key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """Format the entry `key` in `lang`, falling back to Chinese."""
    entry = catalog[key]
    template = entry.get(lang) or entry[DEFAULT_LANG]
    return template.format(**values)


def check_catalog(catalog: Catalog) -> list[str]:
    """Keys lacking either language; tests assert this is empty."""
    return [k for k, v in catalog.items() if not v.get("zh") or not v.get("en")]
