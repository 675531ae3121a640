"""Browser test harness: Streamlit app server, Debian Chromium via Playwright, CDN routes.

Fixtures
--------
streamlit_app   (session) base URL of ``streamlit run app.py`` on a free port, with
                INCIDENTS_DB pointing to a temp SQLite file; skipped if app.py is missing.
browser         (session) Playwright Chromium launched from /usr/bin/chromium. Missing
                binary: the browser tests are skipped, or fail when CI is set.
cdn_router      (function) a fresh :class:`cdn_routes.CdnRouter`.
page            (function) a 1400x900 page with the CDN routes installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import APP, CHROMIUM, EDITOR_TOKEN, StreamlitApp, launch_chromium  # noqa: E402
from cdn_routes import CdnRouter  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium (Debian /usr/bin/chromium) through Playwright"
    )


def _browser_unavailable_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        return f"playwright not importable: {exc}"
    return None


@pytest.fixture(scope="session")
def streamlit_app(tmp_path_factory: pytest.TempPathFactory):
    if not APP.exists():
        pytest.skip(f"{APP.name} does not exist yet")
    from geo import gazetteer

    gazetteer.load().close()  # a deployed app has its index built; the app's first run should not build it
    tmp = tmp_path_factory.mktemp("streamlit_app")
    server = StreamlitApp(db_path=tmp / "incidents.sqlite3", log_path=tmp / "streamlit.log",
                          extra_env={"EDITOR_TOKEN": EDITOR_TOKEN})  # public: anonymous visitors read only
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"could not start the app: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _playwright():
    reason = _browser_unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium on CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    b = launch_chromium(_playwright)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture()
def cdn_router() -> CdnRouter:
    return CdnRouter()


@pytest.fixture()
def page(browser, cdn_router: CdnRouter):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    pg = context.new_page()
    cdn_router.install(pg)
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()
