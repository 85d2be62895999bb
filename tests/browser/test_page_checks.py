"""The browser tests' own checks can fail: low contrast is caught, console errors are recorded."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = pytest.mark.browser


def test_contrast_check_flags_grey_on_white_only(tab, low_contrast_texts):
    tab.page.set_content(
        '<body><p style="color:#999;background:#fff">gris clair</p>'
        '<p style="color:#14181f">noir</p>'
        '<div style="background:#1d3f8f"><p style="color:#fff">blanc sur bleu</p></div></body>'
    )
    flagged = low_contrast_texts(tab.page)
    assert len(flagged) == 1
    assert "gris clair" in flagged[0]


def test_console_errors_are_recorded(tab):
    tab.page.set_content("<script>console.error('oops'); undefinedCall();</script>")
    assert any("oops" in e for e in tab.errors)
    assert any(e.startswith("pageerror") for e in tab.errors)


def test_missing_chromium_fails_with_what_to_install_when_not_root(monkeypatch, find_chromium):
    """Not root and no chromium: a failure that names the package, never a silent skip."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.fail.Exception, match="sudo apt-get install chromium"):
        find_chromium()
