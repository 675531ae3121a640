"""Article helpers: the publication date a page states, evidence sentences, incident ids and labels.

Every page and sentence here is written for these tests.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from geo.ingest.articles import (
    evidence_html,
    highlight_html,
    html_to_text,
    incident_id,
    incident_label,
    published_date,
    upload_published,
)


def page(head: str = "", body: str = "<p>A short report about a market fire.</p>") -> str:
    return f"<!doctype html><html><head><title>Report</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(("head", "body", "expected"), [
    ('<meta property="article:published_time" content="2024-10-18T07:45:00+03:00">', "", date(2024, 10, 18)),
    ('<meta name="date" content="2023-02-09">', "", date(2023, 2, 9)),
    ('<meta name="DC.date.issued" content="2022/11/30">', "", date(2022, 11, 30)),
    ('<meta itemprop="datePublished" content="2021-06-01T23:59:00Z">', "", date(2021, 6, 1)),
    ("", '<article><span itemprop="datePublished" content="2020-01-15">15 Jan</span></article>', date(2020, 1, 15)),
    ("", '<p>Posted <time datetime="2019-08-03T10:00">3 August</time></p>', date(2019, 8, 3)),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-06T12:00:00+00:00"}'
     "</script>", "", date(2024, 5, 6)),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, '
     '{"@type": "NewsArticle", "headline": "x", "datePublished": "2024-03-02"}]}</script>', "", date(2024, 3, 2)),
    ('<script type="application/ld+json">[{"@type": "Organization"}, {"datePublished": "2018-12-24"}]</script>', "",
     date(2018, 12, 24)),
])
def test_the_date_a_page_states_is_read(head: str, body: str, expected: date) -> None:
    assert published_date(page(head, body or "<p>Text.</p>")) == expected


def test_the_article_metadata_wins_over_a_time_element_and_json_ld() -> None:
    markup = page('<script type="application/ld+json">{"datePublished": "2024-01-02"}</script>'
                  '<meta property="article:published_time" content="2024-01-03T01:00:00+05:00">',
                  '<p><time datetime="2023-12-31">a comment from last year</time></p>')
    assert published_date(markup) == date(2024, 1, 3)  # the publisher's own day, not converted to UTC
    assert published_date(page(body='<time datetime="2023-12-31">x</time><time datetime="2024-02-01">y</time>')) \
        == date(2023, 12, 31)  # the first one


@pytest.mark.parametrize("markup", [
    page(),
    "A plain-text report with no markup at all, filed 2024-10-18.",
    page('<meta name="date" content="yesterday">'),
    page('<meta name="date" content="2024-13-45">'),
    page('<meta property="article:published_time" content="">'),
    page('<meta name="viewport" content="2024-01-01">'),  # not a date field
    page('<script type="application/ld+json">{"datePublished": 20240101}</script>'),
    page('<script type="application/ld+json">{not json</script>'),
    page('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"),
    page(body='<time datetime="P3D">three days</time>'),
    page('<meta name="date" content="0999-01-01">'),
])
def test_no_usable_date_is_none(markup: str) -> None:
    assert published_date(markup) is None


def test_a_deep_json_ld_block_is_walked_without_recursion() -> None:
    nested: object = {"datePublished": "2017-07-07"}
    for _ in range(900):  # below json's own nesting limit, above a recursive walk's comfort
        nested = {"part": nested}
    assert published_date(page(f'<script type="application/ld+json">{json.dumps(nested)}</script>')) \
        == date(2017, 7, 7)


def test_an_upload_gives_its_date_only_when_it_is_a_page() -> None:
    html = page('<meta name="date" content="2024-04-04">').encode()
    assert upload_published(html, "story.html") == date(2024, 4, 4)
    assert upload_published(html, "story.txt") == date(2024, 4, 4)  # it starts like a page
    assert upload_published(b"Filed on 2024-04-04: a plain report.", "story.txt") is None
    assert upload_published(b"\xff\xfe not utf-8", "story.html") is None
    assert upload_published(b"\x00\x01binary", "story.html") is None


TEXT = ("Officials said two rockets hit the port of Tartus on Friday. <script>alert(1)</script> Nobody was hurt.\n"
        "A second strike hit Latakia & killed one man.")


def test_evidence_shows_only_its_sentences_escaped_with_the_places_marked() -> None:
    first, second = (0, TEXT.index("A second")), (TEXT.index("A second"), len(TEXT))
    spans = [(TEXT.index("Tartus"), TEXT.index("Tartus") + 6, "event", "Tartus (SY, city)"),
             (TEXT.index("Latakia"), TEXT.index("Latakia") + 7, "event", 'Latakia "<b>"')]
    html = evidence_html(TEXT, [second], spans)
    assert html.count("<blockquote") == 1 and "Tartus" not in html
    assert ">Latakia<sub>event</sub></mark>" in html and "&amp; killed" in html
    assert 'title="Latakia &quot;&lt;b&gt;&quot;"' in html
    html = evidence_html(TEXT, [first, second], spans)
    assert html.count("<blockquote") == 2 and "<script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<br>" not in html  # the sentence's trailing newline is not drawn
    assert evidence_html(TEXT, [(5, 2), (0, len(TEXT) + 1)], spans) == ""  # bad offsets are skipped


def test_highlight_still_escapes_everything() -> None:
    text = "<img src=x onerror=alert(1)> in Homs"
    html = highlight_html(text, [(text.index("Homs"), len(text), "event", "<i>Homs</i>")])
    assert "<img" not in html and "<i>" not in html and ">Homs<sub>event</sub></mark>" in html


def test_incident_ids_differ_within_an_article_and_are_stable() -> None:
    a, b = incident_id(TEXT, (48, 54)), incident_id(TEXT, (140, 147))
    assert a != b and a.startswith("article-") and len(a) == len("article-") + 12
    assert incident_id(TEXT, (48, 54)) == a  # saving the same incident again keeps its id
    assert incident_id(TEXT + " More.", (48, 54)) != a  # another article
    assert incident_id(TEXT, None) not in (a, b)  # the one typed in by hand


def test_incident_labels() -> None:
    assert incident_label(1, 2, "Nabatieh", 3, None) == "Incident 1 of 2 — Nabatieh, killed 3"
    assert incident_label(2, 2, " Bint  Jbeil ", 2, 0, saved=True) == "Incident 2 of 2 — Bint Jbeil, killed 2, injured 0 · saved"
    assert incident_label(1, 1, "", None, None) == "Incident 1 of 1 — place not named"


def test_a_pages_address_outlet_and_headline_are_read_with_its_date() -> None:
    from geo.ingest.articles import page_facts

    head = ('<link rel="canonical" href="/news/flood"><meta property="og:url" content="https://paper.example/news/flood">'
            '<meta property="og:site_name" content="The Paper"><meta property="og:title" content="Flood">'
            '<meta property="article:published_time" content="2024-04-02T09:00:00Z">')
    facts = page_facts(page(head))
    assert facts.url == "https://paper.example/news/flood"  # a relative canonical link gives way to og:url
    assert (facts.site, facts.title, facts.published) == ("The Paper", "Flood", date(2024, 4, 2))
    assert page_facts(page()).title == "Report"  # no og:title: the <title>


@pytest.mark.parametrize("page, text", [
    ("<p>before</p>" + "<!--" * 40_000, "before"),  # an unclosed comment hides the rest, as in a browser
    ("<p>keep</p>" + "<a" * 20_000, "keep"),
    ("<p>keep</p><![ x and more", "keep"),
    ("<p>a &amp; b</p><script>var x = 1</script>tail<br>next", "a & b\ntail\nnext"),
    ("<!-- only a comment -->", ""),
    ('<?xml version="1.0" encoding="utf-8"?><p>an XHTML page</p>', "an XHTML page"),
])
def test_malformed_markup_reads_as_a_browser_shows_it(page: str, text: str) -> None:
    """Markup that made the standard library's parser quadratic (160 KB of "<!--": 8 s; the 2 MB
    limit: minutes) is read in one linear pass (bench figures in docs/security.md)."""
    assert html_to_text(page) == text
