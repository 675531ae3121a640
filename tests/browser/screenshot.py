"""Full-page screenshot of the app after its map has rendered (for the README).

    python tests/browser/screenshot.py OUT.png [--url http://127.0.0.1:8501] [--query "group=..."]

Without --url it starts ``streamlit run app.py`` exactly as the browser tests do (free
port, INCIDENTS_DB in a temp dir) and stops it afterwards. Offline: CDN files come from
static/vendor / node_modules, other external requests get empty answers (tiles blank).
Needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import CHROMIUM, StreamlitApp, launch_chromium, marker_summary, wait_for_app_map  # noqa: E402
from cdn_routes import CdnRouter  # noqa: E402

MARKERS_DRAWN = """() => document.querySelectorAll(
    '.marker-cluster, .leaflet-marker-icon:not(.imap-label)').length > 0"""


# Streamlit scrolls inside its main block, so a "full page" screenshot is only the
# viewport; --full grows the viewport to the main block's content height instead.
CONTENT_HEIGHT = """() => {
    const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
    return Math.ceil(Math.max(m.scrollHeight, document.documentElement.scrollHeight));
}"""


def take(url: str, out: Path, width: int = 1400, height: int = 900, settle_ms: int = 1500,
         full: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
            page = context.new_page()
            router = CdnRouter().install(page)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="domcontentloaded")
            frame = wait_for_app_map(page, timeout_ms=90_000)
            try:
                frame.wait_for_function(MARKERS_DRAWN, timeout=20_000)
            except Exception:  # noqa: BLE001 - still save what is there, but say so
                print(f"warning: no incident markers drawn; page errors: {errors}", file=sys.stderr)
            if full:
                page.set_viewport_size({"width": width, "height": max(height, page.evaluate(CONTENT_HEIGHT))})
            page.wait_for_timeout(settle_ms)  # let tiles/labels/fonts settle
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
            info = {"markers": marker_summary(frame), "errors": errors, "stubbed": len(router.stubbed),
                    "unexpected": router.unexpected}
            context.close()
            return info
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="PNG file to write")
    ap.add_argument("--url", help="use an already running app instead of starting one")
    ap.add_argument("--query", default="", help="query string appended to the URL (shareable filters)")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--full", action="store_true", help="grow the viewport to the whole page content")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} missing (apt-get install -y chromium)", file=sys.stderr)
        return 2
    suffix = ("/?" + args.query.lstrip("?")) if args.query else ""
    if args.url:
        info = take(args.url.rstrip("/") + suffix, args.out, args.width, args.height, full=args.full)
    else:
        with tempfile.TemporaryDirectory(prefix="imap-shot-") as tmp:
            with StreamlitApp(db_path=Path(tmp) / "incidents.sqlite3") as app:
                info = take(app.url + suffix, args.out, args.width, args.height, full=args.full)
    print(f"wrote {args.out} {info}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
