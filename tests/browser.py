"""Debian's chromium, driven by playwright's sync API, for tests that need a real browser.

Usage in a test module::

    from tests.browser import chromium_page  # or: from browser import ...

    @pytest.mark.browser
    def test_something(tmp_path):
        with chromium_page() as page:
            page.goto(path.as_uri())

The browser is never downloaded (no ``playwright install``): we use ``/usr/bin/chromium``.
When it is missing the test is skipped with the reason, except under ``CI`` where it fails.
``page.kz_console_errors`` / ``page.kz_page_errors`` collect what the page reported, and
``page.kz_requests`` every URL the page asked for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("KZPLAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


def _tile() -> bytes:
    """A 256×256 light-grey PNG (a stand-in basemap tile)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xe8\xe8\xe4" * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def chromium_path() -> str:
    """The chromium executable, or skip (fail under CI) with the reason."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    reason = None
    if not found:
        reason = f"Debian's chromium is not installed ({CHROMIUM}); `apt-get install chromium`."
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright (python) is not installed; `pip install playwright`."
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert found is not None
    return found


@contextlib.contextmanager
def chromium_page(*, offline: bool = False, block_network: bool = True, fake_tiles: bool = False,
                  viewport: tuple[int, int] = (1366, 850), **context_kw: Any) -> Iterator[Any]:
    """A fresh page in headless chromium.

    ``block_network`` aborts every request that is not ``file:``, ``data:`` or to localhost (and
    records it in ``page.kz_blocked``); with ``fake_tiles`` such requests for images get a plain
    light tile instead (recorded too), so online maps render without the network and without
    console errors. ``offline`` also switches the context offline.
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                          **context_kw)
            if offline:
                context.set_offline(True)
            page = context.new_page()
            page.kz_console_errors = []
            page.kz_page_errors = []
            page.kz_requests = []
            page.kz_blocked = []
            page.on("console", lambda m: page.kz_console_errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: page.kz_page_errors.append(str(e)))
            page.on("request", lambda r: page.kz_requests.append(r.url))

            def route(r: Any) -> None:
                url = r.request.url
                local = url.startswith(("file:", "data:", "blob:", "about:")) or \
                    url.startswith(("http://127.0.0.1", "http://localhost"))
                if local:
                    r.continue_()
                elif fake_tiles and r.request.resource_type == "image":
                    page.kz_blocked.append(url)
                    r.fulfill(status=200, content_type="image/png", body=_tile())
                else:
                    page.kz_blocked.append(url)
                    r.abort()

            if block_network:
                context.route("**/*", route)
            yield page
        finally:
            browser.close()
