"""Who may write (geo.roles, geo.settings.app_mode): pure decisions, no Streamlit."""

from __future__ import annotations

import pytest

from geo import roles, settings

TOKEN = "correct-horse-battery-staple-42"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
        "client_secret": "s", "server_metadata_url": "https://accounts.example/.well-known/openid-configuration"}


def config(**kw: object) -> roles.AuthConfig:
    args: dict = {"mode": settings.PUBLIC, "auth": None, "editors": None, "editor_token": None, "editor_tokens": None}
    args.update(kw)
    return roles.auth_config(args["mode"], args["auth"], args["editors"], args["editor_token"], args["editor_tokens"])


def test_mode_defaults_to_public_and_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENT_MAP_MODE", raising=False)
    assert settings.app_mode() == ("public", "")
    assert settings.app_mode("private") == ("private", "")
    assert settings.app_mode(" Private ") == ("private", "")
    mode, note = settings.app_mode("privat")
    assert mode == "public" and "privat" in note and "read-only" in note
    monkeypatch.setenv("INCIDENT_MAP_MODE", "public")
    assert settings.app_mode("private") == ("public", "")  # the environment wins over secrets
    monkeypatch.setenv("INCIDENT_MAP_MODE", "private")
    assert settings.app_mode(None) == ("private", "")


def test_anonymous_visitor_of_a_public_deploy_is_read_only() -> None:
    access = roles.decide(config(editor_token=TOKEN))
    assert not access.can_write and access.actor == "" and "sign in" in access.how
    bare = roles.decide(config())
    assert not bare.can_write and "no editors configured" in bare.how and "INCIDENT_MAP_MODE=private" in bare.how


def test_private_deploy_lets_everyone_write_as_private() -> None:
    access = roles.decide(config(mode="private"))
    assert access.can_write and access.actor == "private"


def test_editor_token_in_constant_time_and_by_name() -> None:
    tokens = config(editor_token=TOKEN, editor_tokens={"alice": "alice-" + TOKEN}).tokens
    assert roles.check_token(tokens, TOKEN) == "editor"
    assert roles.check_token(tokens, "alice-" + TOKEN) == "alice"
    assert roles.check_token(tokens, TOKEN[:-1]) is None
    assert roles.check_token(tokens, "") is None
    assert roles.check_token(tokens, TOKEN + "\ud800") is None  # odd input never raises
    assert roles.check_token({}, TOKEN) is None


def test_a_session_with_a_proven_token_writes_under_its_name_until_it_is_revoked() -> None:
    proof = roles.token_proof("alice", TOKEN)
    assert TOKEN not in proof
    access = roles.decide(config(editor_tokens={"alice": TOKEN}), token=proof)
    assert access.can_write and access.actor == "token:alice" and access.signed_in_with == "token"
    removed = roles.decide(config(editor_token="another-long-token-value"), token=proof)
    assert not removed.can_write
    replaced = roles.decide(config(editor_tokens={"alice": "alice-new-" + TOKEN}), token=proof)  # same name, new token
    assert not replaced.can_write


def test_short_tokens_are_ignored_with_a_note() -> None:
    c = config(editor_token="short")
    assert c.tokens == {} and any("shorter than 16" in p for p in c.problems)
    assert roles.check_token(c.tokens, "short") is None


def test_oidc_editor_by_email_case_insensitive() -> None:
    c = config(auth=AUTH, editors=["Editor@Example.org"])
    user = {"is_logged_in": True, "email": "editor@example.ORG", "email_verified": True}
    access = roles.decide(c, user=user)
    assert access.can_write and access.actor == "editor@example.org" and access.signed_in_with == "oidc"


def test_oidc_non_editor_unverified_and_logged_out_are_read_only() -> None:
    c = config(auth=AUTH, editors="editor@example.org, second@example.org")
    assert c.editors == {"editor@example.org", "second@example.org"}
    stranger = roles.decide(c, user={"is_logged_in": True, "email": "someone@example.org"})
    assert not stranger.can_write and "not an editor" in stranger.how
    unverified = roles.decide(c, user={"is_logged_in": True, "email": "editor@example.org", "email_verified": False})
    assert not unverified.can_write and "not verified" in unverified.how
    unsaid = roles.decide(c, user={"is_logged_in": True, "email": "editor@example.org"})  # a provider that does not say
    assert not unsaid.can_write and "not verified" in unsaid.how
    logged_out = roles.decide(c, user={"is_logged_in": False, "email": "editor@example.org"})
    assert not logged_out.can_write
    no_flag = roles.decide(c, user={"email": "editor@example.org"})  # what st.user holds without a sign-in
    assert not no_flag.can_write


def test_st_user_is_not_trusted_without_a_configured_sign_in() -> None:
    c = config(editors=["editor@example.org"])  # no [auth]
    assert not roles.decide(c, user={"is_logged_in": True, "email": "editor@example.org"}).can_write


def test_providers_from_the_auth_section() -> None:
    assert roles.oidc_providers(None) == ()
    assert roles.oidc_providers(AUTH) == ("default",)
    named = {"redirect_uri": "x", "cookie_secret": "y", "google": {"client_id": "a"}, "okta": {"client_id": "b"}}
    assert roles.oidc_providers(named) == ("google", "okta")
    assert any("editors list is empty" in p for p in config(auth=AUTH).problems)


def test_throttle_slows_the_guessing_client_not_the_others() -> None:
    now = [0.0]
    throttle = roles.Throttle(limit=3, window=60, ceiling=5, clock=lambda: now[0])
    for _ in range(3):
        assert not throttle.blocked("guesser")
        throttle.failed("guesser")
    assert throttle.blocked("guesser") and not throttle.blocked("editor")  # one guesser locks out no editor
    now[0] = 61.0
    assert not throttle.blocked("guesser")


def test_throttle_has_a_ceiling_for_many_clients_at_once() -> None:
    now = [0.0]
    throttle = roles.Throttle(limit=3, window=60, ceiling=5, clock=lambda: now[0])
    for k in range(5):
        throttle.failed(f"client-{k}")
    assert throttle.blocked("anyone")
    now[0] = 61.0
    assert not throttle.blocked("anyone")


def test_the_write_ledger_counts_per_writer_for_a_day_across_sessions() -> None:
    now = [0.0]
    ledger = roles.WriteLedger(window=86_400, clock=lambda: now[0])
    ledger.add("token:ana", 60)
    now[0] = 3_600.0
    ledger.add("token:ana", 30)  # another session of the same editor, an hour later
    assert ledger.used("token:ana") == 90 and ledger.used("token:omar") == 0
    now[0] = 86_400.0  # a day after her first write: a new allowance
    assert ledger.used("token:ana") == 0
    ledger.add("token:ana", 5)
    assert ledger.used("token:ana") == 5


def test_a_trusted_proxys_header_gives_the_visitors_address_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy every visitor has its address; the header it sets names the visitor: the
    last entry (what that proxy saw), an IP address or nothing at all. Off unless configured."""
    assert roles.proxied_address("198.51.100.7") == "198.51.100.7"
    assert roles.proxied_address("203.0.113.9, 10.0.0.2, 198.51.100.7") == "198.51.100.7"  # a client cannot pick it
    assert roles.proxied_address(" 2001:db8::1 ") == "2001:db8::1"
    for garbled in (None, "", "unknown", "1.2.3.4, <script>", "999.1.1.1"):
        assert roles.proxied_address(garbled) is None
    monkeypatch.delenv("INCIDENT_MAP_CLIENT_HEADER", raising=False)
    assert settings.client_header(None) == ""  # no proxy assumed: a visitor's own header is ignored
    assert settings.client_header("X-Forwarded-For") == "X-Forwarded-For"
    monkeypatch.setenv("INCIDENT_MAP_CLIENT_HEADER", "X-Real-IP")
    assert settings.client_header("X-Forwarded-For") == "X-Real-IP"
