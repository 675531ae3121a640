"""An online geocoder that fails never breaks geocoding: a local stub impersonating
Nominatim (slow, 500, 429, garbage, down) makes ``make_locator``'s locator fall back to
the offline gazetteer with a notice; a good answer is used; the configured User-Agent is
sent and requests are spaced by the rate limit.

Manners towards a shared provider, measured on the stub's arrival times: a 429's
``Retry-After`` (seconds or HTTP date) is honoured, failures back off exponentially, a
long pause or queue answers offline at once, each import and session has an allowance,
malformed replies of every kind fall back, and without a user agent naming the deploy the
online geocoder is refused with a message.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from geo.formats import ImportResult
from geo.geocoding.budget import Quota
from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.online import FallbackLocator, make_locator, user_agent_problem
from geo.ingest import loading
from geo.records import Incident
from geo.safetext import markdown_literal
from geo.settings import GeocoderLimits
from geo.store.database import Store
from geo.store.queries import stream

USER_AGENT = "incident-map-tests/1.0 (outage stub)"
TIMEOUT = 0.5
STUB_ANSWER = [{"lat": "12.5", "lon": "45.25", "display_name": "Stubville, Stub Province, Iraq",
                "addresstype": "city", "type": "city", "address": {"country_code": "iq", "state": "Stub Province"}}]


class _Stub:
    """What the server should do next, and what it saw."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[float, str, str]] = []  # (arrival time, path, User-Agent)
        # replies to give first, in order: (status, extra headers, body); then ``mode``
        self.script: list[tuple[int, dict[str, str], bytes]] = []


def _handler(stub: _Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            stub.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            if stub.script:
                status, headers, body = stub.script.pop(0)
                self._send(status, body, "application/json", headers)
                return
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

        def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
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


def _locator(offline: OfflineGeocoder, domain: str, *, cache: Path | None = None, min_delay: float = 0.0,
             backoff: float = 0.05, max_wait: float = 5.0) -> FallbackLocator:
    limits = GeocoderLimits(geocoder_backoff_seconds=backoff, geocoder_max_wait_seconds=max_wait)
    locator = make_locator(offline, provider="nominatim", domain=domain, user_agent=USER_AGENT, timeout=TIMEOUT,
                           cache=cache, min_delay_seconds=min_delay, limits=limits)
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


# ------------------------------------------------------------------ pauses: Retry-After and backoff

def _gaps(stub: _Stub) -> list[float]:
    times = [t for t, _, _ in stub.requests]
    return [b - a for a, b in zip(times, times[1:])]


@pytest.mark.parametrize("retry_after", ["1", "http-date"])
def test_retry_after_is_honoured(retry_after: str, nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    """After a 429 with Retry-After (1 s, or a date about 2 s ahead) the next request
    arrives at least that long after the refused one, and is then answered online."""
    stub, domain = nominatim
    value = email.utils.formatdate(time.time() + 2, usegmt=True) if retry_after == "http-date" else retry_after
    stub.script = [(429, {"Retry-After": value}, b"Too Many Requests")]
    locator = _locator(geocoder, domain, backoff=0.05)
    first = locator.locate("Mosul", "IQ")
    assert first is not None and first.provider == "offline"
    assert locator.notices == ["Online geocoder failed for 'Mosul' (GeocoderRateLimited); used the offline gazetteer."]
    second = locator.locate("Erbil", "IQ")  # waits out the pause (shorter than the longest wait), then asks
    assert second is not None and second.provider == "nominatim"
    [gap] = _gaps(stub)
    assert gap >= 1.0, gap  # a date header has 1 s resolution: "2 s ahead" is at least 1 s
    assert gap < 3.5, gap


def test_a_long_retry_after_answers_offline_at_once_without_asking(nominatim: tuple[_Stub, str],
                                                                   geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    stub.script = [(429, {"Retry-After": "3600"}, b"slow down")]
    locator = _locator(geocoder, domain, max_wait=5.0)
    locator.locate("Mosul", "IQ")
    started = time.monotonic()
    answers = [locator.locate(name, "IQ") for name in ("Erbil", "Kirkuk", "Basra", "Najaf")]
    assert time.monotonic() - started < 1.0  # no waiting for an hour, no waiting at all
    assert all(a is not None and a.provider == "offline" for a in answers)
    assert len(stub.requests) == 1  # nothing more was sent during the pause
    failed, paused = locator.notices
    assert failed.startswith("Online geocoder failed for 'Mosul' (GeocoderRateLimited)")
    assert paused.startswith("Used the offline gazetteer for 4 lookups ('Erbil', 'Kirkuk', 'Basra', …): "
                             "the online geocoder is pausing (HTTP 429, Retry-After 3600 s")


def test_a_503_retry_after_is_honoured_too(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    stub.script = [(503, {"Retry-After": "1"}, b"down for maintenance")]
    locator = _locator(geocoder, domain, backoff=0.05)
    locator.locate("Mosul", "IQ")
    found = locator.locate("Erbil", "IQ")
    assert found is not None and found.provider == "nominatim"
    assert _gaps(stub)[0] >= 1.0


def test_failures_back_off_exponentially_and_success_resets(nominatim: tuple[_Stub, str],
                                                            geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    base = 0.25
    stub.script = [(500, {}, b"oops")] * 3 + [(200, {}, json.dumps(STUB_ANSWER).encode())] + [(502, {}, b"bad gateway")]
    locator = _locator(geocoder, domain, backoff=base)
    providers = [getattr(locator.locate(name, "IQ"), "provider", None)
                 for name in ("Mosul", "Erbil", "Kirkuk", "Basra", "Najaf", "Hit")]
    assert providers == ["offline", "offline", "offline", "nominatim", "offline", "nominatim"]
    gaps = _gaps(stub)
    assert len(gaps) == 5
    for k, wanted in enumerate([base, 2 * base, 4 * base]):  # after the 1st, 2nd, 3rd failure in a row
        assert gaps[k] >= wanted, (k, gaps)
    assert gaps[2] > gaps[1] > gaps[0]
    assert gaps[3] < gaps[2] / 2  # the success reset the streak: no pause before the next request
    assert base <= gaps[4] < gaps[2]  # a new streak starts again from the base pause


def test_a_lookup_never_queues_longer_than_the_longest_wait(nominatim: tuple[_Stub, str],
                                                            geocoder: OfflineGeocoder) -> None:
    """The limiter is shared by every visitor: past the longest wait, answer offline now."""
    stub, domain = nominatim
    locator = _locator(geocoder, domain, min_delay=2.0, max_wait=0.5)
    started = time.monotonic()
    first, second = locator.locate("Mosul", "IQ"), locator.locate("Erbil", "IQ")
    assert time.monotonic() - started < 1.0
    assert first is not None and first.provider == "nominatim"
    assert second is not None and second.provider == "offline" and len(stub.requests) == 1
    [busy] = locator.notices
    assert busy.startswith("Used the offline gazetteer for 'Erbil': the online geocoder's queue, shared by every visitor")


# ------------------------------------------------------------------ malformed replies

MALFORMED = {
    "not json": b"<html>\x00\xff not json {[",
    "a number list": b"[1]",
    "a string": b'"Mosul"',
    "text coordinates": b'[{"lat": "north", "lon": "east", "display_name": "X"}]',
    "null coordinates": b'[{"lat": null, "lon": null, "display_name": "X"}]',
    "one coordinate": b'[{"lat": "12.5", "display_name": "X"}]',
    "latitude 95": b'[{"lat": "95", "lon": "45", "display_name": "X"}]',
    "infinite": b'[{"lat": "1e999", "lon": "45", "display_name": "X"}]',
    "nan": b'[{"lat": "nan", "lon": "45", "display_name": "X"}]',
    "list coordinates": b'[{"lat": [1], "lon": {"a": 2}, "display_name": "X"}]',
    "an error object": b'{"error": "Internal failure"}',
    "truncated": b'[{"lat": "12.5", "lon": "45.2',
    "not utf-8": b'[{"lat": "12.5", "lon": "45.25", "display_name": "\xff\xfe"}]',
}


@pytest.mark.filterwarnings("ignore:Latitude normalization")  # geopy's note on "lat": "95", before it refuses it
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_reply_falls_back_and_does_not_pause(body: bytes, nominatim: tuple[_Stub, str],
                                                         geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    stub.script = [(200, {}, body)]
    locator = _locator(geocoder, domain, backoff=5.0)
    found = locator.locate("Mosul", "IQ")
    assert found == geocoder.locate("Mosul", "IQ")
    [notice] = locator.notices
    assert notice.startswith("Online geocoder failed for 'Mosul' (") and "offline gazetteer" in notice
    started = time.monotonic()
    again = locator.locate("Erbil", "IQ")  # the service answered: a bad reply is no reason to pause
    assert again is not None and again.provider == "nominatim" and time.monotonic() - started < 3.0  # a pause is 5 s


@pytest.mark.parametrize("body", [b"[]", b"null", b"{}", b'""'], ids=["empty list", "null", "empty object", "empty"])
def test_an_empty_reply_is_not_found_and_the_offline_answer_is_used(body: bytes, nominatim: tuple[_Stub, str],
                                                                    geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    stub.script = [(200, {}, body)]
    locator = _locator(geocoder, domain)
    assert locator.locate("Mosul", "IQ") == geocoder.locate("Mosul", "IQ")


def test_wrongly_typed_fields_are_dropped_not_trusted(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    reply = [{"lat": "12.5", "lon": "45.25", "display_name": 7, "addresstype": {"a": 1}, "type": ["city"],
              "address": {"country_code": "<script>", "state": 5}}]
    stub.script = [(200, {}, json.dumps(reply).encode())]
    found = _locator(geocoder, domain).locate("Mosul", "IQ", "Nineveh")
    assert found is not None and found.provider == "nominatim" and (found.latitude, found.longitude) == (12.5, 45.25)
    assert (found.name, found.country_code, found.admin1, found.feature) == ("Mosul", "IQ", "Nineveh", "place")


# ------------------------------------------------------------------ the user agent

@pytest.mark.parametrize("agent", [None, "", "  ", "geopy/2.5.0", "python-urllib/3.11", "Mozilla/5.0",
                                   "incident-map", "incident-map/0.1", "my-newsroom-map (me@example.org)",
                                   "bad\nagent"])
def test_without_a_user_agent_naming_the_deploy_the_online_geocoder_is_refused(
        agent: str | None, nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder) -> None:
    stub, domain = nominatim
    locator = make_locator(geocoder, provider="nominatim", domain=domain, user_agent=agent, timeout=TIMEOUT)
    assert isinstance(locator, FallbackLocator) and locator.primary is None
    assert locator.locate("Mosul", "IQ") == geocoder.locate("Mosul", "IQ")
    assert locator.locate("Erbil", "IQ") == geocoder.locate("Erbil", "IQ")
    assert stub.requests == []  # nothing was sent
    [message] = locator.notices  # said once, however many lookups
    assert message.startswith("The online geocoder 'nominatim' is off: ")
    assert "geocoder_user_agent" in message and "offline gazetteer" in message


@pytest.mark.parametrize("agent", ["acme-news-incident-map (maps@acme.news)", "incident-map for Acme News",
                                   "incident-map-tests/1.0 (outage stub)"])
def test_a_user_agent_naming_the_deploy_is_accepted(agent: str) -> None:
    assert user_agent_problem(agent) is None


def test_an_unknown_provider_is_refused_not_a_crash(geocoder: OfflineGeocoder) -> None:
    locator = make_locator(geocoder, provider="no-such-service", user_agent=USER_AGENT)
    assert isinstance(locator, FallbackLocator) and locator.primary is None
    assert locator.locate("Mosul", "IQ") == geocoder.locate("Mosul", "IQ")
    assert "geopy has no geocoder of that name" in locator.notices[0]


# ------------------------------------------------------------------ allowances: per import, per session

def _records(*names: str) -> ImportResult:
    return ImportResult([Incident(f"CAP-{k}", date(2024, 1, 1), "Stub group", name, country_code="IQ")
                         for k, name in enumerate(names)])


def test_an_import_asks_the_online_geocoder_for_at_most_its_cap(
        nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    stub, domain = nominatim
    monkeypatch.setenv("GEOCODER_LOOKUPS_PER_IMPORT", "2")
    locator = _locator(geocoder, domain)
    report = loading.import_result(store, _records("Mosul", "Erbil", "Kirkuk", "Basra", "Najaf"), locator, actor="test")
    assert len(stub.requests) == 2
    assert report.added == 5 and not report.unlocated
    placed = {i.event_id: (i.latitude, i.longitude) for i in list(stream(store))}
    assert sum(point == (12.5, 45.25) for point in placed.values()) == 2  # the stub's answer
    [notice] = report.warnings
    assert notice == ("Used the offline gazetteer for 3 lookups ('Kirkuk', 'Basra', 'Najaf'): one import may ask "
                      "the online geocoder for 2 names (GEOCODER_LOOKUPS_PER_IMPORT).")
    again = loading.import_result(store, _records("Mosul", "Erbil", "Kirkuk"), locator, actor="test")  # a new import: a new allowance
    assert len(stub.requests) == 4 and again.warnings[0].startswith("Used the offline gazetteer for 'Kirkuk'")
    assert locator.notices == []  # notices belong to the import, not to the shared locator


def test_cached_answers_do_not_count_against_the_cap(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder,
                                                     store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub, domain = nominatim
    monkeypatch.setenv("GEOCODER_LOOKUPS_PER_IMPORT", "2")
    locator = _locator(geocoder, domain, cache=tmp_path / "geocode-cache.sqlite3")
    loading.import_result(store, _records("Mosul", "Erbil"), locator, actor="test")
    report = loading.import_result(store, _records("Mosul", "Erbil", "Kirkuk", "Basra"), locator, actor="test")
    assert len(stub.requests) == 4 and report.warnings == []


def test_a_session_quota_spans_its_imports(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder,
                                           store: Store) -> None:
    stub, domain = nominatim
    locator = _locator(geocoder, domain)
    quota = Quota(3)
    first = loading.import_result(store, _records("Mosul", "Erbil"), locator, actor="test", quota=quota)
    second = loading.import_result(store, _records("Kirkuk", "Basra", "Najaf"), locator, actor="test", quota=quota)
    assert len(stub.requests) == 3 and first.warnings == []
    assert second.warnings == ["Used the offline gazetteer for 2 lookups ('Basra', 'Najaf'): this session has used "
                               "its 3 online lookups (GEOCODER_LOOKUPS_PER_SESSION)."]


def test_a_skipped_request_does_not_spend_the_allowance(nominatim: tuple[_Stub, str], geocoder: OfflineGeocoder,
                                                        store: Store) -> None:
    stub, domain = nominatim
    stub.script = [(429, {"Retry-After": "3600"}, b"")]
    quota = Quota(5)
    loading.import_result(store, _records("Mosul", "Erbil", "Kirkuk"), _locator(geocoder, domain), actor="test",
                          quota=quota)
    assert len(stub.requests) == 1 and quota.remaining == 4


# ------------------------------------------------------------------ the notices in the page

def _upload_and_import(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], names: list[str]) -> Any:
    """The app's import tab with an online geocoder configured by ``env``: upload a CSV of
    rows without coordinates, press Import; returns the AppTest."""
    from streamlit.testing.v1 import AppTest

    from geo.ui import state as ui_state

    db = tmp_path / "app.sqlite3"
    seeded = Store(str(db))  # a used store: the first run does not geocode the bundled file
    seeded.upsert([Incident("SEED-1", date(2024, 1, 1), "Stub group", "Seedville", latitude=1.0, longitude=1.0)],
                  actor="test", action="seed")
    seeded.close()
    monkeypatch.setenv("INCIDENTS_DB", str(db))
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")  # importing needs an editor, or a private deploy
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for loader in (ui_state.load_store, ui_state.load_locator):
        loader.clear()
    rows = "".join(f"UP-{k},2024-02-0{k + 1},Stub group,{name},IQ\n" for k, name in enumerate(names))
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.selectbox(key="import_format").set_value("native")
    at.file_uploader(key="import_upload").upload("rows.csv", ("event_id,event_date,group,location,country_code\n"
                                                              + rows).encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    ui_state.load_locator.clear()  # the next test configures its own
    return at


def test_the_import_tab_shows_why_rows_were_geocoded_offline(
        nominatim: tuple[_Stub, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub, domain = nominatim
    tag = str(time.time_ns())  # names new to the shared answer cache
    names = [f"Upfield {tag}", f"Downfield {tag}", f"Midfield {tag}"]
    at = _upload_and_import(monkeypatch, tmp_path, {"GEOCODER": "nominatim", "GEOCODER_DOMAIN": domain,
                                                    "GEOCODER_USER_AGENT": USER_AGENT,
                                                    "GEOCODER_LOOKUPS_PER_IMPORT": "1"}, names)
    assert len(stub.requests) == 1
    # messages are shown Markdown-escaped (geo.safetext): compare with the escaped text
    assert any(s.value.startswith(markdown_literal("rows.csv: 3 added")) for s in at.success)
    assert [w.value for w in at.warning if "offline gazetteer" in w.value] == [markdown_literal(
        f"Used the offline gazetteer for 2 lookups ({names[1]!r}, {names[2]!r}): one import may ask the online "
        "geocoder for 1 names (GEOCODER_LOOKUPS_PER_IMPORT).")]


def test_the_import_tab_says_the_online_geocoder_is_off_without_a_user_agent(
        nominatim: tuple[_Stub, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub, domain = nominatim
    monkeypatch.delenv("GEOCODER_USER_AGENT", raising=False)
    at = _upload_and_import(monkeypatch, tmp_path, {"GEOCODER": "nominatim", "GEOCODER_DOMAIN": domain}, ["Mosul"])
    assert stub.requests == []
    [off] = [w.value for w in at.warning if "is off" in w.value]
    assert off.startswith(markdown_literal("The online geocoder 'nominatim' is off: no user agent is set."))
