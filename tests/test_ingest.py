"""Batch ingest into the store: one incident per event however many outlets report it,
fronts filed under their parents, uncertain merges and unknown names queued for a person,
and a re-run that adds nothing.

``tests/data/ingest`` holds articles written for these tests (fictional outlets): Desert
Wire reports a drone attack on Ain al-Asad air base and names the Islamic Resistance in
Iraq; the Militia Monitor feed carries the statement of Al-Thawriun, a front name, about
the same attack, and a claim by a name no register knows; Desert Wire also reports an
unrelated bombing in Mogadishu.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geo import filters
from geo.gazetteer import Gazetteer
from geo.ingest import review
from geo.ingest.filing import Summary
from geo.ingest.inputs import Article, read_inputs
from geo.ingest.run import ingest
from geo.map import layer as mapview
from geo.map import plan as mapplan
from geo.records import Incident
from geo.store import queries
from geo.store.columns import load as load_index
from geo.store.database import NothingToUndo, Store
from geo.store.groups import hierarchy_of

FOLDER = Path(__file__).parent / "data" / "ingest"
ALL = filters.Filters(date(2000, 1, 1), date(2030, 12, 31))
IRI = "Islamic Resistance in Iraq"


def _at_asad(store: Store) -> list[Incident]:
    return [i for i in queries.newest(store, ALL, 100) if i.location == "Al-Asad Air Base"]


def test_two_outlets_and_a_front_statement_become_one_incident_under_the_parent(store: Store,
                                                                                  gazetteer: Gazetteer) -> None:
    summary = ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    assert (summary.articles, summary.added, summary.merged, summary.to_review) == (4, 3, 1, 0)
    [incident] = _at_asad(store)
    assert (incident.group, incident.group_role, incident.parent_group) == ("Al-Thawriun", "claimed", IRI)
    assert incident.event_date == date(2024, 3, 10)
    sources = store.sources(incident.event_id)
    assert sorted(s.source for s in sources) == ["Desert Wire", "Militia Monitor"]
    assert {s.source_url for s in sources} == {"https://desertwire.example.org/iraq/2024/03/ain-al-asad-drones",
                                               "https://monitor.example.org/statements/2024-03-10-017"}
    # filtering by the parent finds the front's incident; the group alone does too; another parent does not
    hierarchy = hierarchy_of(store)
    for groups, expected in (((IRI,), 1), (("Al-Thawriun",), 1), (("Islamic State",), 0)):
        chosen = hierarchy.widened(filters.Filters(ALL.start, ALL.end, groups))
        assert int(load_index(store).mask(chosen).sum()) == expected, groups
    # the parent is offered in the group filter, counted with its family
    assert hierarchy.with_parents(load_index(store).options().groups)[IRI] == 1
    # the popup shows the chain, both sources and each source's figures
    plan = mapplan.plan(store, load_index(store), hierarchy.widened(
        filters.Filters(ALL.start, ALL.end, (IRI,))), None, hierarchy)
    [row] = mapview.incident_rows(plan.incidents, {}, plan.sources, plan.chains, plan.tolls)
    lines = dict(row["lines"])
    assert lines["Group"] == "Al-Thawriun (claimed)"
    assert lines["Filed under"].startswith(f"front of {IRI}")
    assert "Desert Wire" in lines["Also reported by"] or "Militia Monitor" in lines["Also reported by"]
    assert "Militia Monitor: 4 injured" in lines["By source"]


def test_running_again_over_the_same_input_adds_nothing(store: Store, gazetteer: Gazetteer) -> None:
    ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    revision, count = store.revision(), store.count()
    again = ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    assert (again.unchanged, again.articles, again.added, again.merged) == (4, 0, 0, 0)
    assert (store.revision(), store.count()) == (revision, count)


def test_the_evidence_and_each_sources_figures_are_kept(store: Store, gazetteer: Gazetteer) -> None:
    from geo.store.reports import reports_for, toll_range

    ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    [incident] = _at_asad(store)
    found = reports_for(store, [incident.event_id])[incident.event_id]
    assert sorted(r.source for r in found) == ["Desert Wire", "Militia Monitor"]
    assert {r.injured for r in found} >= {4}
    assert "–" in toll_range(incident, found).split(" / ")[1]  # the sources disagree: a range, not one figure
    for r in found:
        sentences = r.evidence["sentences"]
        assert any("Ain al-Asad" in s for s in sentences)
        n, start, end, _role, _name = r.evidence["mentions"][0]
        assert sentences[n][start:end].strip()  # the spans point into the kept sentences


def test_a_name_no_register_knows_is_kept_and_listed_then_filed_under_a_parent(store: Store,
                                                                                gazetteer: Gazetteer) -> None:
    summary = ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    assert summary.new_groups == ["Saraya Ghadab al-Furat"]
    [entry] = review.open_reviews(store, "group")
    assert store.get(entry.event_id).group == "Saraya Ghadab al-Furat"  # stored as its own group, not forced
    with pytest.raises(review.ReviewError, match="http"):
        review.file_group(store, entry.id, parent=IRI, relation="front", source="a blog", actor="editor@x.org")
    review.file_group(store, entry.id, parent=IRI, relation="front", source="https://example.org/report",
                      actor="editor@x.org")
    assert review.open_reviews(store, "group") == []
    chosen = hierarchy_of(store).widened(filters.Filters(ALL.start, ALL.end, (IRI,)))
    assert int(load_index(store).mask(chosen).sum()) == 2  # the new front now counts under its parent
    with pytest.raises(review.ReviewError, match="already decided"):
        review.keep_group(store, entry.id, actor="editor@x.org")


def test_a_filed_group_is_audited_and_taking_it_back_removes_the_link(store: Store, gazetteer: Gazetteer) -> None:
    """Filing a name under a parent changes every visitor's group filter: it leaves an audit
    row, and reopening the entry removes the link again (also audited)."""
    ingest(read_inputs([str(FOLDER)]), store, actor="cli")
    [entry] = review.open_reviews(store, "group")
    review.file_group(store, entry.id, parent=IRI, relation="front", source="https://example.org/report",
                      actor="editor@x.org")
    [filed] = store.audit(change="review")
    assert (filed.actor, filed.action, filed.event_id) == ("editor@x.org", f"review #{entry.id}: filed",
                                                           "group:Saraya Ghadab al-Furat")
    assert filed.after["parent"] == IRI and filed.after["source"] == "https://example.org/report"
    chosen = filters.Filters(ALL.start, ALL.end, (IRI,))
    assert int(load_index(store).mask(hierarchy_of(store).widened(chosen)).sum()) == 2
    with pytest.raises(NothingToUndo, match="review queue"):  # not an incident's change: the queue takes it back
        store.restore(filed.id, actor="editor@x.org")
    review.reopen(store, entry.id, actor="chief@x.org")
    assert int(load_index(store).mask(hierarchy_of(store).widened(chosen)).sum()) == 1  # the front left its parent
    assert review.open_reviews(store, "group") == [entry]
    reopened = store.audit(change="review")[0]
    assert (reopened.actor, reopened.action) == ("chief@x.org", f"review #{entry.id}: reopened")
    assert reopened.before == {"review": entry.id, "status": "filed"} and reopened.after["link_removed"] is not None
    with pytest.raises(review.ReviewError, match="is open"):
        review.reopen(store, entry.id, actor="chief@x.org")


def _article(key: str, text: str, published: date, source: str) -> Article:
    return Article(key=key, text=text, published=published, url=f"https://{source.lower()}.example.org/{key}",
                   source=source)


def _tikrit_pair() -> list[Article]:
    """Two reports of one attack; the second names no group, so their merge goes to review."""
    return [_article("a1", "Gunmen attacked a checkpoint in Tikrit on Sunday, killing two soldiers. Islamic State "
                           "claimed the attack.", date(2024, 5, 6), "Alpha"),
            _article("b1", "Two soldiers were killed when militants attacked a checkpoint in Tikrit on Sunday, "
                           "security sources said.", date(2024, 5, 6), "Beta")]


def test_a_pin_read_with_low_confidence_waits_faded_until_a_person_checks_it(store: Store,
                                                                            gazetteer: Gazetteer) -> None:
    """Under the cut, a new pin is listed for review and the map draws it faded, with its
    confidence and runner-up in the popup; checking it (audited, undoable) draws it as certain.
    With the cut at 0 nothing is listed."""
    summary = ingest(read_inputs([str(FOLDER)]), store, actor="cli", review_below=1.0)
    placed = [i for i in queries.stream(store) if i.located]
    assert summary.to_check == summary.added - summary.unplaced == len(placed) > 0
    assert all(i.confidence is not None and 0 < i.confidence < 1 for i in placed)
    entries = review.open_reviews(store, "place")
    assert len(entries) == len(placed) and "confidence" in entries[0].reason
    plan = mapplan.plan(store, load_index(store), ALL, None)
    assert plan.unchecked == {i.event_id for i in placed}
    first = next(r for r in mapview.incident_rows(plan.incidents, {}, unchecked=plan.unchecked)
                 if r["event_id"] == entries[0].event_id)
    [placed_line] = [v for k, v in first["lines"] if k == "Placed"]
    assert "confidence (not checked yet)" in placed_line and first["unsure"]
    review.check_place(store, entries[0].id, actor="editor@x.org")
    assert entries[0].event_id not in mapplan.plan(store, load_index(store), ALL, None).unchecked
    assert store.audit(change="review")[0].action == f"review #{entries[0].id}: checked"
    review.reopen(store, entries[0].id, actor="editor@x.org")
    assert entries[0].event_id in mapplan.plan(store, load_index(store), ALL, None).unchecked


def test_with_the_cut_at_zero_no_pin_is_listed(tmp_path: Path, gazetteer: Gazetteer) -> None:
    store = Store(str(tmp_path / "s.sqlite3"))
    summary = ingest(read_inputs([str(FOLDER)]), store, actor="cli", review_below=0.0)
    assert summary.added > 0 and summary.to_check == 0 and review.open_counts(store)["place"] == 0


def test_kind6_two_reports_of_one_strike_naming_the_victims_differently_are_one_incident(
        store: Store, gazetteer: Gazetteer) -> None:
    """Issue 19's sixth kind: one report says American soldiers were killed, another that US troops
    are stationed in the region; neither is the attacker, so the two reports are one incident,
    not two with one of them "attributed" to the United States."""
    first = _article("j1", "A drone attack killed three American soldiers at a base in northeastern Jordan on "
                           "Sunday, officials said.", date(2024, 1, 29), "Alpha")
    second = _article("j2", "Three US service members were killed on Sunday when a drone struck a base in "
                            "northeastern Jordan. About 3,000 US troops are deployed in Jordan.", date(2024, 1, 29),
                      "Beta")
    summary = ingest([first, second], store, actor="cli")
    assert summary.added == 1 and summary.merged == 1
    [incident] = [i for i in queries.newest(store, ALL, 10)]
    assert incident.group != "Military Forces of the United States" and incident.killed == 3


def test_an_uncertain_merge_is_queued_and_a_split_brings_the_report_back(store: Store, gazetteer: Gazetteer) -> None:
    summary = ingest(_tikrit_pair(), store, actor="cli")
    assert (summary.added, summary.merged, summary.to_review) == (1, 1, 1)
    [entry] = review.open_reviews(store, "merge")
    assert "names no group" in entry.reason
    assert store.count() == 1
    review.split(store, entry.id, actor="editor@x.org")
    assert store.count() == 2  # the second report is an incident of its own again
    assert len(store.sources(entry.event_id)) == 1
    assert store.get(entry.subject).source == "Beta"
    assert [e.action for e in store.audit(change="review")] == [f"review #{entry.id}: split"]
    with pytest.raises(review.ReviewError, match="merge the two incidents again"):
        review.reopen(store, entry.id, actor="editor@x.org")


def test_a_confirmed_merge_is_audited_and_can_be_reopened(store: Store, gazetteer: Gazetteer) -> None:
    ingest(_tikrit_pair(), store, actor="cli")
    [entry] = review.open_reviews(store, "merge")
    review.confirm(store, entry.id, actor="editor@x.org")
    assert review.open_reviews(store, "merge") == [] and review.decided_reviews(store)[0].status == "confirmed"
    assert store.audit(entry.event_id, change="review")[0].action == f"review #{entry.id}: confirmed"
    review.reopen(store, entry.id, actor="editor@x.org")
    assert review.open_reviews(store, "merge") == [entry] and store.count() == 1  # the merge itself stays


def test_a_split_of_a_merge_undone_elsewhere_is_refused_and_stays_open(store: Store, gazetteer: Gazetteer) -> None:
    ingest(_tikrit_pair(), store, actor="cli")
    [entry] = review.open_reviews(store, "merge")
    assert entry.audit_id is not None
    store.restore(entry.audit_id, actor="editor@x.org")  # undone from the history, not the queue
    with pytest.raises(review.ReviewError, match="nothing to undo"):
        review.split(store, entry.id, actor="editor@x.org")
    assert review.open_reviews(store, "merge") == [entry]  # not marked split: nothing was split by it


def test_reports_of_different_groups_or_kinds_of_event_stay_apart(store: Store, gazetteer: Gazetteer) -> None:
    strike = _article("s1", "Israeli air strikes hit a building in Nabatieh on Monday, killing three people.",
                      date(2024, 10, 8), "Alpha")
    rockets = _article("r1", "Hezbollah fired rockets from Nabatieh on Monday, the group said.", date(2024, 10, 8),
                       "Beta")
    protest = _article("p1", "Hundreds protested in Nabatieh on Monday against rising bread prices.", date(2024, 10, 8),
                       "Gamma")
    summary = ingest([strike, rockets, protest], store, actor="cli")
    assert (summary.added, summary.merged) == (3, 0)


def test_an_article_that_parses_too_long_is_named_and_the_batch_goes_on(store: Store, gazetteer: Gazetteer,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_MAP_PARSE_TIMEOUT_S", "0.000001")  # every parse is over the limit
    items = list(read_inputs([str(FOLDER)]))
    summary = ingest(items, store, actor="cli")
    assert summary.failed_count == 4 and "parse_timeout_s" in summary.failed[0][1]
    monkeypatch.delenv("INCIDENT_MAP_PARSE_TIMEOUT_S")
    assert ingest(items, store, actor="cli").articles == 4  # not noted as ingested: read again next time


def test_the_apps_ingest_parses_every_article_in_a_worker_under_the_time_limit(
        store: Store, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app ingests from a script thread, where no timer can stop a parse: even a handful of
    articles go to worker processes (``isolated``), where the time limit holds, and the server
    process opens no gazetteer of its own for them."""
    from geo.ingest import reading

    items = list(read_inputs([str(FOLDER)]))
    monkeypatch.setenv("INCIDENT_MAP_PARSE_TIMEOUT_S", "0.000001")  # every parse is over the limit
    reading._gazetteer.cache_clear()
    done: list[Summary] = []
    script = threading.Thread(target=lambda: done.append(ingest(items, store, actor="app", jobs=2, isolated=True)))
    script.start()
    script.join(300)
    assert done and done[0].failed_count == 4 and "parse_timeout_s" in done[0].failed[0][1]
    assert reading._gazetteer.cache_info().currsize == 0  # nothing parsed here
    monkeypatch.delenv("INCIDENT_MAP_PARSE_TIMEOUT_S")
    assert ingest(items, store, actor="app", jobs=2, isolated=True).articles == 4


def test_readings_on_two_processes_file_the_same_as_one(tmp_path: Path, gazetteer: Gazetteer) -> None:
    one, two = Store(str(tmp_path / "one.sqlite3")), Store(str(tmp_path / "two.sqlite3"))
    items = list(read_inputs([str(FOLDER)]))
    a = ingest(items, one, actor="cli", jobs=1)
    b = ingest(items, two, actor="cli", jobs=2)
    assert a.to_json() == b.to_json()
    assert [i.to_row() for i in queries.newest(one, ALL, 50)] == [i.to_row() for i in queries.newest(two, ALL, 50)]


def test_the_same_function_runs_on_a_local_dask_cluster(tmp_path: Path, gazetteer: Gazetteer) -> None:
    items = list(read_inputs([str(FOLDER)]))
    local, cluster = Store(str(tmp_path / "local.sqlite3")), Store(str(tmp_path / "dask.sqlite3"))
    expected = ingest(items, local, actor="cli").to_json()
    assert ingest(items, cluster, actor="cli", jobs=2, dask="local").to_json() == expected
    [incident] = _at_asad(cluster)
    assert incident.parent_group == IRI and len(cluster.sources(incident.event_id)) == 2


def test_the_command_line_ingests_a_folder_and_writes_its_report(tmp_path: Path, gazetteer: Gazetteer) -> None:
    db, report = tmp_path / "cli.sqlite3", tmp_path / "report.json"
    env = {**os.environ, "INCIDENTS_DB": str(db)}
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(FOLDER), str(tmp_path / "missing"), "--jobs",
                           "1", "--report", str(report)], capture_output=True, text=True, env=env, timeout=300,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert "1 merged into incidents already stored" in done.stdout
    assert "missing" in done.stdout  # the input that does not exist is named
    written = json.loads(report.read_text(encoding="utf-8"))
    assert (written["articles_read"], written["incidents_added"], written["incidents_merged"]) == (4, 3, 1)
    assert written["articles_failed"] == 1
    exported = subprocess.run([sys.executable, "-m", "geo", "export", "--group", IRI], capture_output=True, text=True,
                              env=env, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert exported.returncode == 0, exported.stderr
    rows = exported.stdout.strip().splitlines()
    assert len(rows) == 2 and "Al-Thawriun" in rows[1]  # the parent's export takes in its front


def test_an_old_store_gains_the_ingest_tables_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # the sources table as the previous version made it
        conn.execute(text("CREATE TABLE sources (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, source TEXT NOT NULL,"
                          " source_url TEXT NOT NULL, published TEXT, added_at TEXT NOT NULL, added_by TEXT NOT NULL,"
                          " via INTEGER)"))
        conn.execute(text("INSERT INTO sources VALUES (1, 'x', 'Old', '', NULL, '2024-01-01', 'cli', NULL)"))
    engine.dispose()
    store = Store(str(path))
    assert store.sources_for(["x"])["x"][0].report == ""
    assert review.open_counts(store) == {"merge": 0, "group": 0, "place": 0}


def _feed(*items: tuple[str, str]) -> bytes:
    entries = "".join(f"<item><title>{guid}</title><guid isPermaLink=\"false\">{guid}</guid><link>/{guid}</link>"
                      f"<pubDate>Tue, 12 Mar 2024 10:00:00 +0000</pubDate><description>{text}</description></item>"
                      for guid, text in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Monitor</title>{entries}'
            "</channel></rss>").encode()


def test_a_watched_feed_files_only_its_new_items_each_round(tmp_path: Path, gazetteer: Gazetteer) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    first = ("cm-1", "A car bomb exploded at a police checkpoint in Mogadishu on Tuesday, killing six people.")
    second = ("cm-2", "Gunmen attacked a bus near Garissa on Tuesday, killing four passengers, police said.")
    served = [0]

    class Feed(BaseHTTPRequestHandler):  # the first read has one item, later reads two
        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/feed.xml":
                self.send_response(404)
                self.end_headers()
                return
            served[0] += 1
            self.send_response(200)
            self.end_headers()
            self.wfile.write(_feed(first) if served[0] == 1 else _feed(first, second))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run([sys.executable, "-m", "geo", "ingest", f"http://127.0.0.1:{server.server_address[1]}"
                               "/feed.xml", "--jobs", "1", "--every", "0.001", "--rounds", "3"],
                              capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1],
                              env={**os.environ, "INCIDENTS_DB": str(tmp_path / "watch.sqlite3")})
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    rounds = [line for line in done.stdout.splitlines() if "unchanged since the last ingest" in line]
    assert [r.split(",")[0:2] for r in rounds] == [["1 article read", " 0 unchanged since the last ingest"],
                                                   ["1 article read", " 1 unchanged since the last ingest"],
                                                   ["0 articles read", " 2 unchanged since the last ingest"]]
    assert Store(str(tmp_path / "watch.sqlite3")).count() == 2
