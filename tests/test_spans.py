"""The binary-search span helpers and the grid of nearby places answer exactly as a full
scan would (they replaced scans that made a parse quadratic in the text's length)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.gazetteer.ranking import distance_km
from geo.geoparse.nearby import NearIndex
from geo.geoparse.spans import SpanSet, at, covers, within

FAST = settings(max_examples=150, deadline=None)


@st.composite
def disjoint_spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Sorted spans that never overlap (sentences, actor names, taken mentions)."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 300), max_size=40))))
    spans = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [s for s in spans if draw(st.booleans())] or spans


@FAST
@given(disjoint_spans(), st.integers(-5, 310), st.integers(0, 20))
def test_lookups_match_a_scan(spans: list[tuple[int, int]], start: int, length: int) -> None:
    end = start + length
    before = [k for k, (s, _) in enumerate(spans) if s <= start]
    assert at(spans, start) == (before[-1] if before else -1)
    assert covers(spans, start, end) == any(s <= start and end <= e for s, e in spans)
    assert list(within(spans, start, end)) == [x for x in spans if start <= x[0] < end]


@FAST
@given(disjoint_spans(), st.lists(st.tuples(st.integers(0, 300), st.integers(1, 15)), max_size=30))
def test_span_set_keeps_disjoint_spans_like_a_list(initial: list[tuple[int, int]],
                                                  wanted: list[tuple[int, int]]) -> None:
    taken = SpanSet(initial)
    plain = list(initial)
    for start, length in wanted:
        end = start + length
        expected = [(a, b) for a, b in plain if a < end and start < b]
        assert sorted(taken.overlapping(start, end)) == sorted(expected)
        assert taken.overlaps(start, end) == bool(expected)
        if expected and length % 2:  # sometimes take the first overlapping span away, as a longer name does
            taken.discard(*expected[0])
            plain.remove(expected[0])
        elif not expected:
            taken.add(start, end)
            plain.append((start, end))


points = st.tuples(st.floats(-89.9, 89.9), st.floats(-180.0, 179.999))


@FAST
@given(st.lists(points, max_size=40), points, st.sampled_from([5.0, 60.0, 250.0, 2000.0]))
def test_near_index_finds_what_a_scan_finds(places: list[tuple[float, float]], query: tuple[float, float],
                                            radius: float) -> None:
    index: NearIndex[int] = NearIndex(radius)
    for k, (lat, lon) in enumerate(places):
        index.add(lat, lon, k)
    expected = any(distance_km(query[0], query[1], lat, lon) < radius for lat, lon in places)
    assert index.any_near(query[0], query[1]) == expected
    odd = [k for k, (lat, lon) in enumerate(places) if k % 2 and distance_km(query[0], query[1], lat, lon) < radius]
    assert index.any_near(query[0], query[1], lambda k: k % 2 == 1) == bool(odd)


def test_near_index_across_the_date_line_and_near_the_pole() -> None:
    index: NearIndex[str] = NearIndex(250.0)
    index.add(10.0, 179.9, "east")
    index.add(89.5, -120.0, "pole")
    assert index.any_near(10.0, -179.9)  # ~22 km across the date line
    assert index.any_near(89.6, 60.0)  # the other side of the pole, ~100 km
    assert not index.any_near(10.0, 0.0)
