"""An online geocoder that fails never breaks geocoding: a local stub impersonating
Nominatim (slow, 500, 429, garbage, down) makes ``make_locator``'s locator fall back to
the offline gazetteer with a notice; a good answer is used; the configured User-Agent is
sent and requests are spaced by the rate limit.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from geo.geocoder import FallbackLocator, OfflineGeocoder, make_locator

USER_AGENT = "incident-map-tests/1.0 (outage stub)"
TIMEOUT = 0.5
STUB_ANSWER = [{"lat": "12.5", "lon": "45.25", "display_name": "Stubville, Stub Province, Iraq",
                "addresstype": "city", "type": "city", "address": {"country_code": "iq", "state": "Stub Province"}}]


class _Stub:
    """What the server should do next, and what it saw."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[float, str, str]] = []  # (arrival time, path, User-Agent)


def _handler(stub: _Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            stub.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            mode = stub.mode
            if mode == "slow":
                time.sleep(TIMEOUT * 3)
            if mode == "500":
                self._send(500, b"Internal Server Error", "text/plain")
            elif mode == "429":
                self._send(429, b"Too Many Requests", "text/plain")
            elif mode == "garbage":
                self._send(200, b"<html>\x00\xff not json {[", "application/json")
            else:
                self._send(200, json.dumps(STUB_ANSWER).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout case)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

    return Handler


@pytest.fixture
def nominatim() -> Iterator[tuple[_Stub, str]]:
    stub = _Stub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub, f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _locator(offline: OfflineGeocoder, domain: str, *, cache: Path | None = None,
             min_delay: float = 0.0) -> FallbackLocator:
    locator = make_locator(offline, provider="nominatim", domain=domain, user_agent=USER_AGENT, timeout=TIMEOUT,
                           cache=cache, min_delay_seconds=min_delay)
    assert isinstance(locator, FallbackLocator)
    return locator


def test_a_good_answer_is_used(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    found = _locator(geocoder, domain).locate("Mosul", "IQ")
    assert found is not None and found.provider == "nominatim"
    assert (found.latitude, found.longitude, found.name) == (12.5, 45.25, "Stubville")
    assert (found.country_code, found.admin1) == ("IQ", "Stub Province")
    [(_, path, agent)] = stub.requests
    assert path.startswith("/search?") and "Mosul" in path
    assert "countrycodes=iq" in path  # the record's country narrows the provider's search
    assert agent == USER_AGENT


@pytest.mark.parametrize("mode", ["slow", "500", "429", "garbage"])
def test_outage_falls_back_to_offline_with_notice(mode: str, nominatim: tuple[_Stub, str],
                                                  geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    stub.mode = mode
    offline_answer = geocoder.locate("Mosul", "IQ")
    locator = _locator(geocoder, domain)
    started = time.monotonic()
    found = locator.locate("Mosul", "IQ")
    assert time.monotonic() - started < TIMEOUT * 2  # one timeout, no silent retries
    assert found == offline_answer
    assert found is not None and found.provider == "offline" and found.country_code == "IQ"
    [notice] = locator.notices
    assert notice.startswith("Online geocoder failed for 'Mosul'") and "offline gazetteer" in notice
    # exactly one request: a retry would also break the provider's rate limit
    assert len(stub.requests) == 1 and stub.requests[0][2] == USER_AGENT


def test_service_down_falls_back(geocoder: OfflineGeocoder) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    locator = _locator(geocoder, f"127.0.0.1:{port}")
    assert locator.locate("Mosul", "IQ") == geocoder.locate("Mosul", "IQ")
    assert len(locator.notices) == 1


def test_failures_are_not_cached_and_recovery_is_used(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder,
                                                      tmp_path: Path) -> None:
    stub, domain = nominatim
    locator = _locator(geocoder, domain, cache=tmp_path / "geocode-cache.sqlite3")
    stub.mode = "500"
    first = locator.locate("Mosul", "IQ")
    assert first is not None and first.provider == "offline"
    stub.mode = "ok"
    second = locator.locate("Mosul", "IQ")
    assert second is not None and second.provider == "nominatim"
    third = locator.locate("Mosul", "IQ")  # from the cache: no new request
    assert third == second and len(stub.requests) == 2


def test_requests_are_spaced_by_the_rate_limit(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    delay = 0.25
    locator = _locator(geocoder, domain, min_delay=delay)
    for name in ("Mosul", "Erbil", "Kirkuk", "Basra"):
        assert locator.locate(name, "IQ") is not None
    times = [t for t, _, _ in stub.requests]
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= delay * 0.8, gaps  # server-side arrival times: allow loopback jitter
    assert {agent for _, _, agent in stub.requests} == {USER_AGENT}


def test_rate_limit_holds_across_threads(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    """Two app sessions geocoding at once still share one request spacing."""
    stub, domain = nominatim
    delay = 0.2
    locator = _locator(geocoder, domain, min_delay=delay)
    threads = [threading.Thread(target=locator.locate, args=(name, "IQ")) for name in ("Mosul", "Erbil", "Kirkuk")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    times = sorted(t for t, _, _ in stub.requests)
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= delay * 0.8
