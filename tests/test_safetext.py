"""Untrusted text in Markdown messages and in the store (geo.safetext)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from geo.safetext import WORD_JOINER, clean_text, markdown_lines, markdown_literal

ESCAPED = re.compile(r"\\(.)")
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# GitHub-style autolink literals, as Streamlit's renderer finds them in text after escapes
GFM_URL = re.compile(r"(?:https?://|www(?=\.))", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def text_after_escapes(markdown: str) -> str:
    return ESCAPED.sub(r"\1", markdown)


def shown(markdown: str) -> str:
    """What CommonMark shows for text whose only markup is backslash escapes (the word
    joiners are invisible)."""
    return text_after_escapes(markdown).replace(WORD_JOINER, "")


def autolinks(markdown: str) -> list[str]:
    text = text_after_escapes(markdown)
    return GFM_URL.findall(text) + GFM_EMAIL.findall(text)


def bare_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation that is not escaped (so could be markup)."""
    return [c for c in ESCAPED.sub("", markdown) if c in PUNCTUATION]


PAYLOADS = [
    "[Log in again](https://evil.example/x)",
    "![pixel](https://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>click</a>",
    "**bold** _em_ `code` ~~gone~~",
    "https://evil.example/autolink and www.evil.example and someone@evil.example",
    ":red[alarm] :material/lock: $x^2$",
    "# heading\n- item\n> quote",
    "<https://evil.example/angle>",
    "[ref]: https://evil.example/ref",
    "\\*not emphasis\\*",
]


def test_links_images_html_and_emphasis_show_as_typed() -> None:
    for payload in PAYLOADS:
        escaped = markdown_literal(payload)
        assert shown(escaped) == " ".join(payload.split()), payload
        assert bare_punctuation(escaped) == [], payload
        assert "](" not in escaped and "<" not in escaped.replace("\\<", "")
        assert "\n" not in escaped  # one line: no headings, lists or quotes either
        assert autolinks(escaped) == [], payload


def test_autolinks_are_broken() -> None:
    text = "see https://evil.example/x, HTTP://x.example, _www.evil.example, (a.b+c@evil.example) mailto:x@y.example"
    assert GFM_URL.findall(text) and GFM_EMAIL.findall(text)  # the patterns do find them unescaped
    escaped = markdown_literal(text)
    assert autolinks(escaped) == [] and shown(escaped) == text


def test_control_characters_are_dropped_from_messages() -> None:
    assert markdown_literal("a\x00b\x1b[31mc\u0085") == "ab\\[31mc"


def test_lines_keep_their_own_line() -> None:
    assert markdown_lines(["one *x*", "two [y](z)"]) == "one \\*x\\*  \ntwo \\[y\\]\\(z\\)"


@given(st.text())
def test_any_text_shows_as_itself(text: str) -> None:
    escaped = markdown_literal(text)
    assert bare_punctuation(escaped) == [] and autolinks(escaped) == []
    assert shown(escaped) == " ".join(clean_text(text).split()).replace(WORD_JOINER, "")


def test_clean_text_strips_controls_keeps_newlines_only_where_meaningful() -> None:
    dirty = "A\x00B\x07C\x7fD\x9fE\tF\r\nG\rH\ud800"
    assert clean_text(dirty, multiline=True) == "ABCDE\tF\nG\nH"
    assert clean_text(dirty) == "ABCDE F G H"
    assert clean_text("USER-² ٣ Ä — ‏") == "USER-² ٣ Ä — ‏"  # letters, digits and marks of any script stay


def test_clean_text_drops_what_reverses_or_splits_a_name_unseen() -> None:
    """A bidi override shows a name reversed in the legend; a zero-width space makes
    "Hez\u200bbollah" a second group. Joiners that spellings need stay."""
    assert clean_text("Hez\u200bbollah") == "Hezbollah"
    assert clean_text("\u202eHezbollah\u202c") == "Hezbollah"
    assert clean_text("\u2067Al-Thawriun\u2069\ufeff") == "Al-Thawriun"
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"  # Persian's zero-width non-joiner


@given(st.text())
def test_clean_text_leaves_no_control_character(text: str) -> None:
    for multiline in (False, True):
        out = clean_text(text, multiline=multiline)
        allowed = {"\t", "\n"} if multiline else set()
        assert not [c for c in out if (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) and c not in allowed]
        assert not [c for c in out if 0xD800 <= ord(c) <= 0xDFFF]
