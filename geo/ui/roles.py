"""The sidebar's "Editing" box: who this session is, sign-in and sign-out.

The role itself is decided in :mod:`geo.roles` (pure, tested); this module only reads
``st.secrets`` and ``st.user`` and draws the controls. An editor token typed here is
checked once, on entry, and then dropped from the widget: the session keeps only the
token's name and digest, and is signed out as soon as that token leaves the secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo import roles, settings
from geo.safetext import markdown_literal
from geo.ui.state import WRITER_KEY, client_key, secret, secret_value

_TOKEN_KEY = "editor_token_input"
_TOKEN_PROOF = "editor_token_proof"  # (name, digest): see roles.token_proof
_TOKEN_NOTE = "editor_token_note"
_LOG = logging.getLogger(__name__)
_THROTTLE = roles.Throttle()  # failed token tries, per client, with a ceiling for the server


_LOGGED: set[str] = set()
_log = logging.getLogger(__name__)


def _log_once(problem: str) -> None:
    """An ignored setting, in the server's log once per process (not once per rerun)."""
    if problem not in _LOGGED:
        _LOGGED.add(problem)
        _log.warning("%s", problem)


def _mapping(value: Any) -> Mapping[str, object] | None:
    return value if isinstance(value, Mapping) else None


def auth_config() -> roles.AuthConfig:
    mode, note = settings.app_mode(secret("mode", env=False))  # the environment's say is INCIDENT_MAP_MODE
    return roles.auth_config(mode, _mapping(secret_value("auth", env=False)), secret_value("editors"),
                             secret("editor_token"), _mapping(secret_value("editor_tokens", env=False)), note)


def _user(config: roles.AuthConfig) -> dict[str, object]:
    """``st.user`` when sign-in is configured (otherwise it holds nothing to trust)."""
    if not config.providers:
        return {}
    return {str(k): st.user.get(k) for k in st.user}


def _try_token() -> None:
    config = auth_config()  # read afresh: the widget's callback holds no token
    given = str(st.session_state.get(_TOKEN_KEY) or "")
    st.session_state[_TOKEN_KEY] = ""  # never kept, never drawn again
    if not given.strip():
        return
    client = client_key()
    if _THROTTLE.blocked(client):
        st.session_state[_TOKEN_NOTE] = "Too many wrong tokens were tried: wait a minute and try again."
        return
    name = roles.check_token(config.tokens, given.strip())
    if name is None:
        _THROTTLE.failed(client)
        st.session_state[_TOKEN_NOTE] = "That is not an editor token."
        return
    st.session_state[_TOKEN_PROOF] = roles.token_proof(name, config.tokens[name])
    st.session_state.pop(_TOKEN_NOTE, None)


def _sign_out_token() -> None:
    st.session_state.pop(_TOKEN_PROOF, None)


def _login(provider: str) -> None:
    """Start the provider's sign-in; a deploy whose ``[auth]`` settings are incomplete (or
    without Authlib) says so instead of failing the page."""
    try:
        st.login(provider)
    except st.errors.StreamlitAuthError as error:
        _LOG.warning("st.login(%r) failed: %s", provider, error)
        st.error("Sign-in is not set up correctly on this deploy (the server log says why). "
                 "Ask the app's operator.")


def session_access() -> roles.Access:
    """Decide this session's role and draw the sidebar's "Editing" box."""
    config = auth_config()
    access = roles.decide(config, user=_user(config), token=st.session_state.get(_TOKEN_PROOF))
    st.session_state[WRITER_KEY] = access.actor if access.can_write else ""
    with st.sidebar:
        st.header("Editing")
        mode_note = settings.app_mode(secret("mode", env=False))[1]
        for problem in config.problems:  # the operator's settings: editors see them, the log has them for all
            _log_once(problem)
            if access.can_write or problem == mode_note:  # a mistyped mode names nothing secret: say why it is read-only
                st.warning(markdown_literal(problem))
        st.caption(markdown_literal(access.how))
        if access.signed_in_with == "oidc":
            if st.button("Sign out", key="oidc_sign_out"):
                st.logout()
        elif access.signed_in_with == "token":
            st.button("Stop editing", key="token_sign_out", on_click=_sign_out_token)
        elif not access.can_write:
            for provider in config.providers:
                label = "Sign in" if provider == "default" else f"Sign in with {markdown_literal(provider)}"
                if st.button(label, key=f"oidc_sign_in_{provider}"):
                    _login(provider)
            if config.tokens:
                st.text_input("Editor token", type="password", key=_TOKEN_KEY, on_change=_try_token,
                              max_chars=512, help="Given to editors by the app's operator. Press Enter to sign in.")
            note = st.session_state.pop(_TOKEN_NOTE, None)
            if note:
                st.error(markdown_literal(note))
    return access


def read_only_note(what: str, access: roles.Access) -> None:
    """Why a write tab shows nothing to do, in place of its controls."""
    st.info(markdown_literal(f"{what} needs an editor. {access.how}"))
