"""Who may write: the role of one app session (docs/DESIGN.md, "Trust and limits").

Anyone can read. Adding incidents from an article and importing files need an editor:

- a visitor signed in through Streamlit's ``st.login`` (an OIDC provider configured in the
  ``[auth]`` secrets section) whose email is in the ``editors`` list;
- or a visitor who typed an editor token (``editor_token``, or one per person in an
  ``[editor_tokens]`` table), compared in constant time;
- or anyone at all on a private deploy (``mode = "private"``, see :func:`geo.settings.app_mode`).

Pure logic: ``geo/ui/roles.py`` reads ``st.secrets`` and ``st.user`` and asks here. The
identity decided here is what the audit log records for every write (``Store.upsert``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

from geo import settings

__all__ = ["proxied_address", "Access", "AuthConfig", "auth_config", "oidc_providers", "parse_editors", "check_token", "token_proof",
           "decide", "Throttle", "WriteLedger", "MIN_TOKEN_CHARS", "PRIVATE_ACTOR", "CLI_ACTOR"]

MIN_TOKEN_CHARS = 16  # a shorter configured token is ignored: it could be guessed
PRIVATE_ACTOR = "private"  # who wrote, on a private deploy
CLI_ACTOR = "cli"  # who wrote, from ``python -m geo``
SINGLE_TOKEN_NAME = "editor"  # the name of ``editor_token`` in the audit log ("token:editor")


def proxied_address(value: str | None) -> str | None:
    """The visitor's address in a header a trusted proxy set: the last entry of a list ("client,
    proxy1, proxy2" grows at the end, so the last one is what the proxy in front of us saw), when
    it is an IP address; ``None`` otherwise (a missing or garbled header is no address)."""
    entry = (value or "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Access:
    """What this session may do. ``actor`` is the identity every write records ("" when
    read-only); ``how`` says in one plain line how the role was decided (or why the
    session is read-only), for the sidebar and the write tabs."""

    can_write: bool
    actor: str
    how: str
    signed_in_with: str = ""  # "oidc" or "token" when the visitor proved who they are


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """The deploy's settings for roles, read once per run from secrets."""

    mode: str = settings.PUBLIC
    providers: tuple[str, ...] = ()  # ``st.login`` provider names ("default" for a flat [auth])
    editors: frozenset[str] = frozenset()  # lower-case emails
    tokens: Mapping[str, str] = field(default_factory=dict)  # name -> token, each long enough
    problems: tuple[str, ...] = ()  # settings that were ignored, for the operator

    @property
    def editors_possible(self) -> bool:
        return bool(self.tokens) or bool(self.providers and self.editors)


def oidc_providers(auth: Mapping[str, object] | None) -> tuple[str, ...]:
    """``st.login`` provider names configured in the ``[auth]`` secrets section: "default"
    when the section itself holds ``client_id``, and every sub-table that holds one
    (``[auth.google]`` → "google")."""
    if not auth:
        return ()
    names = ["default"] if auth.get("client_id") else []
    names += [str(k) for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id")]
    return tuple(names)


def parse_editors(value: object) -> frozenset[str]:
    """Editor emails from secrets: a list, or one string separated by commas or spaces."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace(",", " ").split()
    return frozenset(e for e in (str(item).strip().lower() for item in items) if "@" in e)


def auth_config(mode: str, auth: Mapping[str, object] | None, editors: object, editor_token: object,
                editor_tokens: Mapping[str, object] | None, mode_note: str = "") -> AuthConfig:
    """The roles settings from their raw secrets values (``None`` when unset)."""
    problems = [mode_note] if mode_note else []
    tokens: dict[str, str] = {}
    named = [(SINGLE_TOKEN_NAME, editor_token)] if editor_token else []
    named += [(str(k), v) for k, v in (editor_tokens or {}).items()]
    for name, token in named:
        text = str(token or "")
        if len(text) < MIN_TOKEN_CHARS:
            problems.append(f"The editor token {name!r} is shorter than {MIN_TOKEN_CHARS} characters and is ignored.")
        else:
            tokens[name] = text
    providers = oidc_providers(auth)
    allowed = parse_editors(editors)
    if providers and not allowed:
        problems.append("Sign-in is configured but the editors list is empty: nobody who signs in can write.")
    return AuthConfig(mode, providers, allowed, tokens, tuple(problems))


def check_token(tokens: Mapping[str, str], given: str) -> str | None:
    """The name of the configured token equal to ``given``, else ``None``. Every token is
    compared (``hmac.compare_digest``), so the time taken does not tell which one nearly
    matched."""
    found = None
    given_bytes = given.encode("utf-8", "surrogatepass")
    for name, token in tokens.items():
        if hmac.compare_digest(token.encode("utf-8", "surrogatepass"), given_bytes) and found is None:
            found = name
    return found if given else None


def token_proof(name: str, token: str) -> tuple[str, str]:
    """What a session keeps once its token was checked: the name and a digest of the token
    (never the token), so that replacing a token in the secrets ends the sessions that
    proved the old one, even under the same name."""
    return name, hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _true(value: object) -> bool:
    return value is True or str(value).strip().lower() == "true"


def decide(config: AuthConfig, *, user: Mapping[str, object] | None = None,
           token: tuple[str, str] | None = None) -> Access:
    """The session's role. ``user`` is ``st.user`` (read only when sign-in is configured);
    ``token`` the :func:`token_proof` this session holds, honoured only while that very
    token is configured."""
    if config.mode == settings.PRIVATE:
        return Access(True, PRIVATE_ACTOR, "Private deploy: everyone who opens this app can add and import incidents.")
    if config.providers and user and _true(user.get("is_logged_in")):
        email = str(user.get("email") or "").strip().lower()
        if not email:
            return Access(False, "", "Signed in, but the sign-in gave no email address: read-only.", "oidc")
        if email not in config.editors:
            return Access(False, "", f"Signed in as {email}, who is not an editor: read-only. Ask the app's "
                                     "operator to add this address to the editors list.", "oidc")
        if not _true(user.get("email_verified")):  # absent is not verified: anyone may claim an address
            return Access(False, "", f"Signed in as {email}, but the provider has not verified this address: "
                                     "read-only.", "oidc")
        return Access(True, email, f"Signed in as {email} (editor).", "oidc")
    if token is not None and token[0] in config.tokens and hmac.compare_digest(
            token_proof(token[0], config.tokens[token[0]])[1], token[1]):
        return Access(True, f"token:{token[0]}", f"Editing with the editor token {token[0]!r}.", "token")
    if not config.providers and not config.tokens:
        return Access(False, "", "Read-only: this deploy has no editors configured. Its operator can add an "
                                 "editor token or sign-in in the app's secrets, or run it as a private deploy "
                                 f"({settings.MODE_ENV}=private).")
    return Access(False, "", "Read-only: sign in as an editor to add or import incidents.")


class Throttle:
    """Failed token tries, at most ``limit`` per ``window`` seconds from one client (its address,
    else its session), so a guesser slows only itself and never locks the editors out; and at
    most ``ceiling`` from all clients together, so guessing from many at once stays as slow. A
    token has 16 characters or more: the limits keep guessing from costing the server, they are
    not what keeps a token secret."""

    def __init__(self, limit: int = 10, window: float = 60.0, ceiling: int = 300,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.ceiling, self.clock = limit, window, ceiling, clock
        self._by_client: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _expire(self, failures: deque[float]) -> None:
        now = self.clock()
        while failures and now - failures[0] > self.window:
            failures.popleft()

    def blocked(self, client: str) -> bool:
        with self._lock:
            self._expire(self._all)
            mine = self._by_client.get(client)
            if mine is not None:
                self._expire(mine)
            return len(self._all) >= self.ceiling or mine is not None and len(mine) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            for failures in (self._all, self._by_client.setdefault(client, deque())):
                self._expire(failures)
                failures.append(self.clock())
            for key in [k for k, v in self._by_client.items() if not v]:  # clients whose tries expired
                del self._by_client[key]


class WriteLedger:
    """Records each writer (an editor's email or ``token:NAME``) added or changed, per window
    (a day by default), for the whole server process: a reconnect, a new tab or a second
    browser starts no new allowance, as a per-session count would."""

    def __init__(self, window: float = 86_400.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self._used: dict[Hashable, tuple[float, int]] = {}  # writer -> (window start, records)
        self._lock = threading.Lock()

    def used(self, writer: Hashable) -> int:
        with self._lock:
            start, count = self._used.get(writer, (0.0, 0))
            return count if self.clock() - start < self.window else 0

    def add(self, writer: Hashable, records: int) -> None:
        with self._lock:
            now = self.clock()
            start, count = self._used.get(writer, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._used[writer] = (start, count + records)

