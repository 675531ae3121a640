"""Property-based checks: whatever comes in, the importers answer with an ImportResult or a
BadFile (never another exception), and the article parser's offsets are valid slices.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo import formats
from geo.records import FIELDS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text with plenty of the characters CSV parsing cares about
CSV_CHARS = st.text(alphabet=st.sampled_from(list(',;\t|"\'\n\r \\x0-9.-eE+é\x00\ufeff\u2028<>${}`'))
                    | st.characters(), max_size=300)
HEADERS = {
    "native": ",".join(FIELDS),
    "acled": "event_id_cnty,event_date,actor1,actor2,location,latitude,longitude,country,admin1,fatalities,notes,source",
    "ucdp": "id,date_start,date_prec,side_a,side_b,type_of_violence,latitude,longitude,country,adm_1,adm_2,"
            "where_coordinates,best,source_headline,source_article",
    "gtd": "eventid,iyear,imonth,iday,country_txt,provstate,city,latitude,longitude,specificity,gname,claimed,nkill,"
           "nwound,summary",
}


def _ok(result: object) -> None:
    assert isinstance(result, formats.ImportResult)
    for error in result.errors:
        assert isinstance(error, formats.RowError) and error.row >= 2 and str(error)


def _parse(text: str, fmt: str = "native") -> None:
    try:
        _ok(formats.parse_text(text, "prop.csv", fmt))
    except formats.BadFile as error:
        assert str(error).startswith("prop.csv")


@FAST
@given(text=CSV_CHARS, fmt=st.sampled_from(sorted(formats.FORMATS)))
@example(text="", fmt="native")
@example(text='event_date,group,location\n"unclosed,x,y\n', fmt="native")
def test_any_text_is_a_result_or_badfile(text: str, fmt: str) -> None:
    _parse(text, fmt)


@FAST
@given(fmt=st.sampled_from(sorted(formats.FORMATS)), body=CSV_CHARS)
def test_any_text_after_a_valid_header(fmt: str, body: str) -> None:
    _parse(HEADERS[fmt] + "\n" + body, fmt)


@FAST
@given(raw=st.binary(max_size=400))
@example(raw=b"\xff\xfe\x00")
@example(raw=b"\xfe\xff\xd8\x00")
@example(raw=b"\xef\xbb\xbf")
def test_any_bytes_are_a_result_or_badfile(raw: bytes) -> None:
    for fmt in formats.FORMATS:
        try:
            _ok(formats.read_bytes(raw, "prop.csv", fmt))
        except formats.BadFile as error:
            assert str(error).startswith("prop.csv")


CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "1e400", "nan", "inf", "2024-02-31", "2024-02-29", "31 December 2023",
                     "9" * 40, "3.0", "3.5", "claimed", "CLAIMED", "Iraq", "IQ", "91", "-181", "١٢",
                     "javascript:alert(1)", "https://example.org/a", "<script>x</script>", "${x}"]),
)


@FAST
@given(fmt=st.sampled_from(sorted(formats.FORMATS)), rows=st.lists(st.lists(CELL, min_size=0, max_size=25),
                                                                          min_size=1, max_size=4))
def test_any_row_values_are_a_result(fmt: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    text = HEADERS[fmt] + "\n" + out.getvalue()
    try:
        result = formats.parse_text(text, "prop.csv", fmt)
    except formats.BadFile as error:  # e.g. a cell so odd the CSV reader gives up
        assert str(error).startswith("prop.csv")
        return
    _ok(result)
    for incident in result.incidents:  # what loads is within the record's rules
        assert incident.latitude is None or -90 <= incident.latitude <= 90
        assert incident.longitude is None or -180 <= incident.longitude <= 180
        assert incident.killed is None or incident.killed >= 0
        assert incident.source_url == "" or incident.source_url.lower().startswith(("http://", "https://"))


@FAST
@given(values=st.fixed_dictionaries({f: CELL for f in FIELDS}))
def test_any_native_record_is_accepted_or_named(values: dict[str, str]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS))
    writer.writeheader()
    writer.writerow(values)
    result = formats.parse_text(out.getvalue(), "prop.csv")
    _ok(result)
    assert len(result.incidents) + len(result.errors) <= 1
    for error in result.errors:
        assert error.column in FIELDS or error.column == "(row)"


# ------------------------------------------------------------------ the article parser

PLACES = ["Mosul", "Erbil", "Baghdad", "Anbar", "Iraq", "Syria", "Deir ez-Zor", "al-Tanf", "Ain al-Asad", "Kirkuk",
          "Damascus", "Aleppo", "Basra", "Tikrit", "Homs", "Idlib", "Raqqa", "Jordan", "Tower 22", "Sanaa"]
WORDS = ["a", "drone", "attack", "on", "near", "in", "the", "province", "killed", "three", "wounded", "2", "soldiers",
         "Islamic", "Resistance", "claimed", "Monday", "base", "of", "(", ")", ",", ".", "\n", "—", "’s", "'s",
         "north", "city", "al-", "Iraqi", "Syrian", "on 5 March", "2024-01-28", "🙂", "\u200b", "\t"]
ARTICLE = st.lists(st.sampled_from(PLACES + WORDS) | st.text(max_size=8), max_size=40).map(" ".join) | st.text(
    max_size=200)


@SLOW
@given(text=ARTICLE, published=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
@example(text="", published=None)
@example(text="Mosul", published=None)
def test_parser_offsets_are_valid_slices(text: str, published: date | None, gazetteer) -> None:
    from geo import geoparse

    result = geoparse.parse(text, published, gazetteer)
    for m in result.mentions:
        assert 0 <= m.start < m.end <= len(text), (m.start, m.end, len(text))
        assert text[m.start:m.end] == m.text
        assert m.role in ("event", "context")
    for incident in result.incidents:
        assert 0 <= incident.mention_start < incident.mention_end <= len(text)
        assert any((m.start, m.end) == (incident.mention_start, incident.mention_end) for m in result.mentions)
