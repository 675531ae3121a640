"""What the map is told besides its markers: the box that fits the filtered data, and a
close view around a focused incident that always draws it as a marker, and the view a fit to
the data will show (planned for before the browser reports it)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from geo.filters import Filters
from geo.map import plan as mapplan
from geo.store import columns
from geo.store.database import Store
from geo.store.queries import BBox
from tests.test_scale_queries import START, by_hand, filled  # noqa: F401 - the fixture

__all__ = ["filled"]


def _around(incidents: list) -> tuple[float, float, float, float]:  # type: ignore[type-arg]
    placed = [i for i in incidents if i.located]
    return (min(i.latitude for i in placed), min(i.longitude for i in placed),
            max(i.latitude for i in placed), max(i.longitude for i in placed))


@pytest.mark.parametrize("limit", [2000, 50])  # few incidents (markers), many (cells)
def test_fit_box_holds_every_filtered_incident(filled: tuple[Store, columns.Columns],  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    store, index = filled
    monkeypatch.setattr(mapplan, "MARKER_LIMIT", limit)
    f = Filters(START, START + timedelta(days=60), groups=("Beta Front",))
    plan = mapplan.plan(store, index, f, None)
    assert plan.bounds is not None
    got = (plan.bounds.south, plan.bounds.west, plan.bounds.north, plan.bounds.east)
    assert got == pytest.approx(_around(by_hand(f)), abs=1e-4)


def test_no_incident_no_fit_box(filled: tuple[Store, columns.Columns]) -> None:  # noqa: F811
    store, index = filled
    f = Filters(START, START + timedelta(days=60), groups=("No such group",))
    assert mapplan.plan(store, index, f, None).bounds is None


def test_focused_incident_is_a_marker_even_where_the_map_shows_counts(filled: tuple[Store, columns.Columns],  # noqa: F811
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store, index = filled
    monkeypatch.setattr(mapplan, "MARKER_LIMIT", 5)
    f = Filters(START, START + timedelta(days=400))
    wide = mapplan.plan(store, index, f, mapplan.DEFAULT_VIEW)
    assert wide.mode == "cells"
    target = next(i for i in sorted(by_hand(f), key=lambda i: i.event_date) if i.located)  # an old one: not the newest
    view = mapplan.focus_view(target.latitude or 0.0, target.longitude or 0.0)
    assert view.zoom == mapplan.FOCUS_ZOOM >= mapplan.CLOSE_ZOOM
    close = mapplan.plan(store, index, f, view)
    assert close.mode == "points"
    drawn = mapplan.with_focus(close, target)
    assert [i.event_id for i in drawn].count(target.event_id) == 1
    assert mapplan.with_focus(wide, target) == []  # cells stay cells
    assert mapplan.with_focus(close, None) == close.incidents


@pytest.mark.parametrize("size", [(1000, 560), (940, 560), (375, 560), (1600, 560)])
def test_the_view_a_fit_shows_holds_the_data_at_the_closest_zoom_that_does(size: tuple[int, int]) -> None:
    bounds = BBox(30.2, 30.1, 49.8, 44.9)
    view = mapplan.fitted_view(bounds, size)
    box = view.bbox
    assert box.south < bounds.south and box.west < bounds.west and box.north > bounds.north and box.east > bounds.east
    closer = mapplan.fitted_view(bounds, (size[0] * 2, size[1] * 2))  # a map twice the size: one zoom level closer
    assert closer.zoom == view.zoom + 1
    assert mapplan.pixel_size(view) == pytest.approx(size, abs=1)  # read back from the view the map would report


def test_a_fit_to_one_place_stops_at_the_fit_zoom_limit() -> None:
    view = mapplan.fitted_view(BBox(33.8, 42.44, 33.8, 42.44), (1000, 560))
    assert view.zoom == mapplan.FIT_MAX_ZOOM
    assert view.bbox.south < 33.8 < view.bbox.north and view.bbox.west < 42.44 < view.bbox.east
    assert mapplan.fit_centre(BBox(33.8, 42.44, 33.8, 42.44), 10) == pytest.approx((33.8, 42.44, 10))


def test_a_view_cut_at_the_world_edge_gives_no_map_size() -> None:
    assert mapplan.pixel_size(mapplan.View(BBox(-80.0, -180.0, 80.0, 180.0), 1)) is None
