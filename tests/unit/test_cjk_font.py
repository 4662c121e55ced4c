"""The Gantt picture's Chinese font is found even when matplotlib's font cache predates it."""

from __future__ import annotations

import pytest
from matplotlib import font_manager

from bot.pages.gantt import CJK_FAMILIES, cjk_font

SYSTEM_HAS_CJK = any("CJK" in p or "wqy" in p.lower() for p in font_manager.findSystemFonts())


@pytest.mark.skipif(not SYSTEM_HAS_CJK, reason="no CJK font file on this machine")
def test_a_font_installed_after_the_cache_was_written_is_found(
        monkeypatch: pytest.MonkeyPatch) -> None:
    manager = font_manager.fontManager
    cjk_files = {f.fname for f in manager.ttflist if f.name in CJK_FAMILIES}
    # the cache as written before apt-get install: none of those files' faces in it
    stale = [f for f in manager.ttflist if f.fname not in cjk_files]
    monkeypatch.setattr(manager, "ttflist", stale)
    assert cjk_font.__wrapped__() in CJK_FAMILIES


def test_no_cjk_file_anywhere_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist
                                             if f.name not in CJK_FAMILIES])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert cjk_font.__wrapped__() is None
