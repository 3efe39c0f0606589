"""Every page and API endpoint, in process (httpx over ASGI, no server)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import declass
from declass.web import create_app

OUTCOMES = str(Path(declass.__file__).parent / "data" / "outcomes" / "samples.yaml")
NIE = "1952-09-10-nie-58-sino-soviet-relations"
BRIEF = "1953-11-04-nsc-briefing-sino-soviet-relations"


class Client:
    def __init__(self, app: object) -> None:
        self.app = app

    def get(self, url: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.get(url)

        return asyncio.run(go())


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    db = tmp_path_factory.mktemp("web") / "web.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
        (evil := tmp_path_factory.mktemp("evil") / "evil.txt").write_text(
            "MEMORANDUM\n\n1. The <script>alert('x')</script> tag and <b>bold</b> & co. stay text in Peiping.\n")
        a.ingest([evil], workers=1)
        a.find_links()
    return db


@pytest.fixture(scope="module")
def client(web_db: Path) -> Iterator[Client]:
    yield Client(create_app(web_db, outcomes=OUTCOMES))


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/", "NSC Briefing"),
        ("/?type=NSC+Briefing", "Sino-Soviet Relations"),
        ("/?redacted=yes&sort=-date", "NSC Briefing"),
        ("/?entity=Peking", "Relations Between the Chinese Communist Regime"),
        ("/?date_from=1953&date_to=1953-12-31", "NSC Briefing"),
        (f"/doc/{NIE}", 'id="23.b"'),
        ("/doc/NIE-58?reading=amended&scale=icd203", "Annex A / Article 2"),
        (f"/doc/{BRIEF}?reading=redline&furniture=true", "<del>has begun to insist</del>"),
        ("/search?q=%22Port+Arthur%22", "<mark>Port Arthur</mark>"),
        ("/search?q=Peking&any_spelling=true", "Peiping"),
        ("/search?entity=Beijing", "hits"),
        ("/search", "Search"),
        ("/entity/Peking", "Beijing"),
        ("/judgments?scale=phia&sort=-low", "Judgments"),
        ("/judgments?doc=NIE-58&term=unlikely", "unlikely"),
        ("/timeline?entity=Port+Arthur", "Port Arthur"),
        ("/timeline?date_from=1952&date_to=1952-12-31", "1952-12-31"),
        ("/scores?by=term", "Brier"),
    ],
)
def test_pages(client: Client, url: str, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert needle in r.text
    assert "Content-Security-Policy" in r.headers and "default-src 'self'" in r.headers["Content-Security-Policy"]


def test_reader_shows_withheld_points_and_judgments(client: Client) -> None:
    html = client.get(f"/doc/{BRIEF}").text
    assert "Withheld: V.B, V.C, V.D, V.E" in html and "Withheld: II.E" in html
    nie = client.get(f"/doc/{NIE}").text
    assert 'class="judgment"' in nie and "Dissent" in nie and 'class="pbar"' in nie
    assert "Copy citation" in nie and "paragraph 23.b" in nie


@pytest.mark.parametrize(
    ("url", "check"),
    [
        ("/api/documents", lambda d: {x["id"] for x in d["items"]} >= {NIE, BRIEF} and d["total"] == 3),
        ("/api/documents?type=NSC+Briefing", lambda d: [x["id"] for x in d["items"]] == [BRIEF] and d["total"] == 1),
        (f"/api/documents/{NIE}", lambda d: d["metadata"]["doc_number"]["value"] == "NIE-58"),
        ("/api/documents/NIE-58/blocks/23.b", lambda d: d["label"] == "23.b" and "paragraph 23.b" in d["citation"]),
        ("/api/search?q=Dairen&limit=5", lambda d: 0 < len(d) <= 5 and d[0]["highlights"]),
        ("/api/search?q=Peking&any_spelling=true", lambda d: any("Peiping" in h["snippet"] for h in d)),
        ("/api/entities?doc=NIE-58&type=place", lambda d: d["items"] and all(x["type"] == "place" for x in d["items"])),
        ("/api/entities/Peiping", lambda d: d["entity"]["name"] and d["items"] and d["items"][0]["citation"]),
        ("/api/judgments?scale=icd203&max=0.2", lambda d: d["items"] and all(x["range"][1] <= 0.2 for x in d["items"])),
        ("/api/events?date_from=1950&date_to=1950-12-31&limit=200",
         lambda d: any(x["date"] == "1950-02-14" for x in d["items"])),
        ("/api/scores?by=document", lambda d: d["available"] and d["summary"]["n"] == 13),
        ("/api/openapi.json", lambda d: "/api/search" in d["paths"] and "/api/judgments" in d["paths"]),
    ],
)
def test_api(client: Client, url: str, check: object) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/json"
    assert check(r.json())  # type: ignore[operator]


def test_pages_and_api_agree(client: Client) -> None:
    api = client.get("/api/judgments?doc=NIE-58").json()
    html = client.get("/judgments?doc=NIE-58").text
    assert f"of {api['total']} judgments" in html and api["total"] > len(api["items"]) == 50


def test_document_text_is_escaped(client: Client) -> None:
    docs = client.get("/api/documents").json()["items"]
    evil = next(d for d in docs if d["id"] == "evil")
    html = client.get(f"/doc/{evil['id']}").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert "<b>bold</b>" not in html
    found = client.get("/search?q=script").text
    assert "<script>alert" not in found


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/doc/no-such-document", 404),
        ("/doc/..%2F..%2Fetc%2Fpasswd", 404),
        ("/api/documents/..%2F..%2Fetc%2Fpasswd", 404),
        ("/static/..%2F..%2F__init__.py", 404),
        ("/api/documents/NIE-58/blocks/99.z", 404),
        ("/entity/Atlantis", 404),
        ("/judgments?scale=bogus", 422),
        ("/api/search?q=" + "x" * 600, 422),
        ("/api/search?q=Dairen&limit=5000", 422),
        ("/api/search?q=%28unbalanced", 422),
        ("/?date_from=yesterday", 422),
        ("/nowhere", 404),
    ],
)
def test_errors_are_clear(client: Client, url: str, status: int) -> None:
    r = client.get(url)
    assert r.status_code == status
    if url.startswith("/api/"):
        assert "error" in r.json()
    else:
        assert "<h1>" in r.text and str(status) in r.text


def test_read_only_routes(client: Client) -> None:
    async def post() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://t") as c:  # type: ignore[arg-type]
            return (await c.post("/api/documents", content=b"{}")).status_code

    assert asyncio.run(post()) == 405


def test_scores_page_without_outcomes(web_db: Path) -> None:
    bare = Client(create_app(web_db))
    assert "No outcomes file is loaded" in bare.get("/scores").text
    assert bare.get("/api/scores").json()["available"] is False
    assert bare.get("/scores/calibration.svg").status_code == 404


def test_calibration_svg(client: Client) -> None:
    r = client.get("/scores/calibration.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml") and "<svg" in r.text


def test_static_assets_are_local(client: Client) -> None:
    html = client.get("/").text
    assert "http://" not in html.replace("http://test", "") and "https://" not in html
    for asset in ("/static/declass.css", "/static/declass.js"):
        assert client.get(asset).status_code == 200


def test_serve_refuses_a_corrupt_archive(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"junk" * 100)
    res = CliRunner().invoke(app, ["serve", "--db", str(bad)])
    assert res.exit_code == 1 and "E302" in res.stderr


def test_cached_pages_expire_when_the_archive_changes(tmp_path: Path, samples: Path) -> None:
    db = tmp_path / "c.db"
    with declass.Archive(db) as a:
        a.ingest([samples / "1953-11-04_nsc-briefing_sino-soviet-relations.txt"], workers=1)
    client = Client(create_app(db))
    first = client.get("/")
    again = client.get("/")
    assert again.headers.get("X-Cache") == "hit" and again.text == first.text
    assert "1–1 of 1 documents" in again.text
    with declass.Archive(db) as a:
        a.ingest([samples / "1952-09-10_nie-58_sino-soviet-relations.txt"], workers=1)
    fresh = client.get("/")
    assert fresh.headers.get("X-Cache") is None and "1–2 of 2 documents" in fresh.text


# -- the reader: a quiet default, layers, a cover card, and what issue 17 saw ----------


def block_html(html: str, label: str) -> str:
    start = html.index(f'id="{label}"')
    return html[start: html.index("</section>", start)]


def test_reader_is_quiet_by_default_and_layers_switch_on(client: Client) -> None:
    quiet = client.get(f"/doc/{NIE}").text
    body = quiet[quiet.index("<body"): quiet.index(">", quiet.index("<body"))]
    assert "layer-" not in body
    assert 'tabindex="-1"' in block_html(quiet, "6")  # entity links out of the tab order while hidden
    on = client.get(f"/doc/{NIE}?layer=entities&layer=judgments&layer=bogus").text
    body = on[on.index("<body"): on.index(">", on.index("<body"))]
    assert "layer-entities" in body and "layer-judgments" in body and "bogus" not in body
    assert 'tabindex="-1"' not in block_html(on, "6")
    assert 'name="layer" value="entities" checked' in on and 'value="redactions" checked' not in on
    for key in ("entities", "judgments", "redactions", "edits", "furniture"):
        assert f'class="for-{key}"' in on  # a legend line for every layer
    legacy = client.get(f"/doc/{NIE}?furniture=true").text
    assert "layer-furniture" in legacy[legacy.index("<body"): legacy.index(">", legacy.index("<body"))]


def test_front_matter_folds_into_a_cover_card(client: Client) -> None:
    html = client.get(f"/doc/{NIE}").text
    cover = html[html.index('<details class="cover"'): html.index("</details>")]
    assert 'id="front.1"' in cover and 'id="front.12"' in cover and "12 blocks" in cover
    assert 'id="THE PROBLEM"' not in cover and 'id="THE PROBLEM"' in html


def test_reading_fixes_seen_in_issue_17(client: Client) -> None:
    brief = client.get(f"/doc/{BRIEF}").text
    assert "$600,000,000" in block_html(brief, "V.K") and "\\$" not in brief
    nie = client.get(f"/doc/{NIE}").text
    assert "&gt; On the authorization" not in nie and "On the authorization" in block_html(nie, "Annex A / Signatures")
    five = block_html(nie, "5")
    assert five.count("<b>Dissent</b>") == 1  # three judgments, one dissenter: shown once
    assert five.count("He therefore reserves judgment") == 1
    assert "during the period of this estimate.</p>" in five  # whole, not cut mid-sentence
    assert "no handwritten edits" in nie and "reading-switch" not in nie
    assert "reading-switch" in brief


def test_edited_blocks_keep_their_annotations_in_every_reading(client: Client) -> None:
    html = client.get(f"/doc/{BRIEF}?reading=redline").text
    block = block_html(html, "II.F")
    redline = block[block.index('class="text redline"'):]
    amended = block[block.index('class="text amended"'): block.index('class="text redline"')]
    for part in (redline, amended):
        assert 'class="entity' in part and 'class="marker"' in part and 'class="judgment"' in part
        assert "<del>" in part and "under extension of 1950 agreement" in part
    assert block.count('id="j-') == 1  # a judgment's id only once across the three readings


def test_judgments_table_names_documents_and_dissenters(client: Client) -> None:
    html = client.get("/judgments?limit=200").text
    assert "NSC Briefing, 4 Nov 1953" in html and ">NIE-58<" in html
    assert "sino-sovie<" not in html and "sino-sovie" not in html.replace(NIE, "").replace(BRIEF, "")
    assert "Department of StateSpecial" not in html


def test_entity_page_counts_blocks_in_good_english(client: Client) -> None:
    html = client.get("/entity/Dairen").text
    assert "(1 blocks)" not in html


@pytest.mark.parametrize(
    ("rng", "shown"),
    [([1.0, 1.0], "100%"), ([0.0, 0.0], "0%"), ([0.63, 0.87], "63%–87%"), ([0.95, 1.0], "95%–100%")],
)
def test_probability_bar_is_visible_at_the_ends(rng: list[float], shown: str) -> None:
    import re

    from declass.web.render import probability_bar

    html = probability_bar(rng)
    assert f">{shown}<" in html
    left, width = (float(x) for x in re.search(r"margin-left:([\d.]+)%;width:([\d.]+)%", html).groups())  # type: ignore[union-attr]
    assert width >= 3 and left + width <= 100.0001


def test_crossing_spans_are_split_not_dropped() -> None:
    from declass.web.render import Span, annotate

    html = str(annotate("abcdef", [Span(0, 4, '<i id="x">', "</i>", "!", "<i>"), Span(2, 6, "<b>", "</b>")]))
    assert html == '<i id="x">ab<b>cd</b></i>!<b>ef</b>'
    html = str(annotate("abcdef", [Span(2, 6, "<b>", "</b>"), Span(0, 4, '<i id="x">', "</i>", "!", "<i>")],
                        [(3, "<ins>+</ins>")]))
    assert html.count('id="x"') == 1 and "c<ins>+</ins>d" in html


# -- pictures: timeline, entity in context, judgments by term, redactions ------------------


def test_timeline_is_drawn_on_an_axis_and_grouped_by_year(client: Client) -> None:
    html = client.get("/timeline").text
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert "timeline-chart" in svg and ">1950<" in svg and ">1980<" in svg
    assert svg.count('<a href="/doc/') >= 32  # every event a link (plus the lane labels)
    assert 'class="ev-deadline"' in svg and 'class="ev-duration"' in svg and 'class="ev-period"' in svg
    assert f'href="/doc/{NIE}#Annex%20A%20%2F%20Article%206"' in svg  # the treaty's term, linked to its article
    assert 'id="y1952"' in html and 'href="#y1952"' in html
    assert "<mark>not later than the end of 1952</mark>" in html
    filtered = client.get("/timeline?entity=Port+Arthur").text
    assert filtered.count("<section class=\"year\"") < html.count("<section class=\"year\"")


@pytest.mark.parametrize(("iso", "span"), [("1952", (1952.0, 1953.0)), ("1952-07", (1952.5, 1952 + 7 / 12)),
                                           ("1950-02-14", (1950 + 1 / 12 + 13 / 365, 1950 + 1 / 12 + 14 / 365)),
                                           ("mid-1951", None), (None, None)])
def test_a_date_spans_what_its_precision_says(iso: str | None, span: tuple[float, float] | None) -> None:
    from declass.web.charts import year_span

    got = year_span(iso)
    assert got == span if span is None else got == pytest.approx(span)


def test_entity_mentions_stand_in_their_sentences(client: Client) -> None:
    html = client.get("/entity/Port%20Arthur").text
    kwic = html[html.index('<ol class="kwic mentions">'): html.index("</ol>", html.index('<ol class="kwic mentions">'))]
    assert kwic.count("<li>") >= 5 and kwic.count("<mark>Port Arthur</mark>") >= 5
    assert "naval base" in kwic.lower()  # words around the name, not the bare name
    assert "Port Arthur (" in html and "1952" in html  # the names it appears under, with their years
    peking = client.get("/entity/Peking").text
    assert "Peiping (" in peking and "1952–1953" in peking


def test_judgments_page_charts_terms_and_strips(client: Client) -> None:
    html = client.get("/judgments?scale=kent&limit=200").text
    assert "term-chart" in html and ">probable<" in html and ">unlikely<" in html
    assert html.count('class="strip"') == 2  # a strip for each document on the page
    first = client.get("/judgments?scale=kent&limit=3").text
    assert first.count('class="strip"') == 1 and ">probable<" in first  # the chart counts every judgment
    icd = client.get("/judgments?scale=icd203").text
    assert "on the icd203 scale" in icd


def test_redactions_page(client: Client) -> None:
    r = client.get("/redactions")
    assert r.status_code == 200
    assert "25X1" in r.text and "withheld points" in r.text and "redaction-chart" in r.text
    assert r.text.index("NSC Briefing, 4 Nov 1953") < r.text.index(">NIE-58<")  # most withheld first


def test_place_map_has_coastlines_and_historical_names(client: Client) -> None:
    html = client.get("/entity/Port%20Arthur").text
    svg = html[html.index('<svg viewBox="0 0 760'): html.index("</svg>", html.index('<svg viewBox="0 0 760'))]
    assert svg.count('class="land"') >= 3 and "<title>China</title>" in svg and "<title>Japan</title>" in svg
    assert "Port Arthur (Lüshun)" in svg and "Peking (Beijing)" in svg
    assert "http" not in svg  # nothing fetched


def test_map_data_is_bundled_and_cites_its_source() -> None:
    from declass.web.geo import countries

    names = {name for name, _ in countries()}
    assert {"China", "Japan", "Russia", "United States of America"} <= names
    china = next(rings for name, rings in countries() if name == "China")
    lons = [lo for ring in china for lo, _ in ring]
    lats = [la for ring in china for _, la in ring]
    assert 73 < min(lons) < 75 and 134 < max(lons) < 136 and 18 < min(lats) < 22 and 53 < max(lats) < 54
    readme = (Path(declass.__file__).parent / "data" / "geo" / "README.md").read_text("utf-8")
    assert "Natural Earth" in readme and "public domain" in readme


def test_reader_margin_charts_judgments_and_what_was_withheld(client: Client) -> None:
    brief = client.get(f"/doc/{BRIEF}").text
    meta = brief[brief.index('<aside class="meta"'):]
    assert 'class="strip"' in meta and meta.count('<a href="/doc/') >= 21  # one cell per judgment, linked
    assert "redaction-chart" in meta and "25X1 20" in meta
    nie = client.get(f"/doc/{NIE}").text
    assert "(b)(3) 1" in nie[nie.index('<aside class="meta"'):]


@pytest.mark.parametrize("url", ["/search?q=Peking&any_spelling=true", "/scores", "/judgments", "/timeline"])
def test_lists_name_documents_by_short_name_never_a_cut_id(client: Client, url: str) -> None:
    html = client.get(url).text
    shown = html.replace(f"/doc/{NIE}", "").replace(f"/doc/{BRIEF}", "").replace(f"doc={NIE}", "")
    assert "sino-sovie" not in shown.replace(f"doc={BRIEF}", "")
    assert "NIE-58" in html


def test_timeline_axis_cuts_long_empty_stretches_short() -> None:
    from declass.web.charts import Axis, Mark

    marks = [Mark(1945.0, 1950.0, "period", {}), Mark(1950.1, 1980.1, "duration", {}),
             Mark(1979.1, 1979.2, "deadline", {})]
    axis = Axis(marks, 0, 1000)
    assert axis.segments == [(1945, 1951), (1979, 1981)]
    assert [b[:2] for b in axis.breaks()] == [(1951, 1979)]
    xs = [axis.x(t) for t in (1945, 1950, 1951, 1960, 1979, 1981)]
    assert xs == sorted(xs) and xs[0] == 0 and xs[-1] == pytest.approx(1000)
    assert 1951 not in axis.ticks() and 1979 in axis.ticks()  # no label where the axis breaks
    dense = Axis([Mark(1950.0 + i / 10, 1950.1 + i / 10, "event", {}) for i in range(30)], 0, 1000)
    assert dense.breaks() == []


# -- lists a page at a time: limits, cursors, totals ---------------------------------------


def walk(client: Client, url: str) -> tuple[list[dict[str, object]], list[int]]:
    """Every item of an API list, following ``next``; and the total each page announced."""
    items: list[dict[str, object]] = []
    totals: list[int] = []
    nxt: str | None = None
    for _ in range(500):
        sep = "&" if "?" in url else "?"
        r = client.get(url + (f"{sep}after={nxt}" if nxt else ""))
        assert r.status_code == 200, r.text[:300]
        page = r.json()
        assert page["offset"] == len(items)
        items += page["items"]
        totals.append(page["total"])
        nxt = page["next"]
        if nxt is None:
            return items, totals
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize(
    ("url", "key", "whole"),
    [
        ("/api/documents?limit=1", "id", "/api/documents?limit=200"),
        ("/api/documents?limit=2&sort=-pages", "id", "/api/documents?limit=200&sort=-pages"),
        ("/api/documents?limit=1&sort=-date", "id", "/api/documents?limit=200&sort=-date"),
        ("/api/documents?limit=1&sort=id", "id", "/api/documents?limit=200&sort=id"),
        ("/api/judgments?limit=7&scale=icd203", "id", "/api/judgments?limit=200&scale=icd203"),
        ("/api/events?limit=9", "start", "/api/events?limit=200"),
        ("/api/entities/Peking?limit=4", "start", "/api/entities/Peking?limit=200"),
        ("/api/entities?limit=5", "name", "/api/entities?limit=200"),
    ],
)
def test_cursor_round_trip_visits_every_item_once_in_order(client: Client, url: str, key: str,
                                                           whole: str) -> None:
    items, totals = walk(client, url)
    every, _ = walk(client, whole)
    assert len(set(totals)) == 1 and totals[0] == len(items) == len(every) > 1
    assert [(x.get("document"), x[key]) for x in items] == [(x.get("document"), x[key]) for x in every]


def test_limit_is_honoured_and_the_total_told(client: Client) -> None:
    full = client.get("/api/judgments?limit=200").json()
    assert full["total"] > 50
    page = client.get("/api/judgments").json()  # the default
    assert len(page["items"]) == 50 and page["limit"] == 50 and page["total"] == full["total"] and page["next"]
    assert len(client.get("/api/judgments?limit=3").json()["items"]) == 3


@pytest.mark.parametrize("url", ["/api/judgments?limit=201", "/api/judgments?limit=0", "/api/events?limit=-1",
                                 "/api/documents?limit=100000", "/?limit=1000", "/entity/Peking?limit=500"])
def test_a_limit_out_of_bounds_is_a_422_on_one_line(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 422
    if url.startswith("/api/"):
        assert "limit" in r.json()["detail"] and "\n" not in r.json()["detail"]


@pytest.mark.parametrize("url", ["/api/documents?after=bm90LWEtY3Vyc29y", "/api/judgments?after=e30",
                                 "/api/entities/Peking?before=WzEsMl0", "/?after=WzEsMl0"])
def test_a_cursor_not_given_by_the_list_is_a_400(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400
    if url.startswith("/api/"):
        assert "cursor" in r.json()["detail"] and "\n" not in r.json()["detail"]


def test_previous_goes_back_to_the_same_page(client: Client) -> None:
    first = client.get("/api/documents?limit=1&sort=title").json()
    second = client.get(f"/api/documents?limit=1&sort=title&after={first['next']}").json()
    third = client.get(f"/api/documents?limit=1&sort=title&after={second['next']}").json()
    assert third["next"] is None and third["offset"] == 2
    back = client.get(f"/api/documents?limit=1&sort=title&before={third['prev']}").json()
    assert back["items"] == second["items"] and back["offset"] == 1
    assert client.get(f"/api/documents?limit=1&sort=title&before={back['prev']}").json()["items"] == first["items"]


@pytest.mark.parametrize("sort", ["date", "-date", "title", "-redactions", "-id"])
def test_walking_back_with_previous_retraces_the_list(client: Client, sort: str) -> None:
    forward, _ = walk(client, f"/api/documents?limit=1&sort={sort}")
    assert any(d["date"] is None for d in forward)  # an undated document: listed last either way
    assert forward[-1]["date"] is None or sort not in ("date", "-date")
    page = client.get(f"/api/documents?limit=1&sort={sort}&after=" + walk_to_last(client, sort)).json()
    back = [*page["items"]]
    while page["prev"]:
        page = client.get(f"/api/documents?limit=1&sort={sort}&before={page['prev']}").json()
        back = page["items"] + back
    assert [d["id"] for d in back] == [d["id"] for d in forward]


def walk_to_last(client: Client, sort: str) -> str:
    """The cursor that opens the last page of the documents, one a page."""
    page = client.get(f"/api/documents?limit=1&sort={sort}").json()
    cursor = ""
    while page["next"]:
        cursor = page["next"]
        page = client.get(f"/api/documents?limit=1&sort={sort}&after={cursor}").json()
    return cursor


def test_archive_page_says_which_documents_and_pages_keeping_filters(client: Client) -> None:
    import html as html_mod
    import re

    page = client.get("/?limit=1&sort=-date&redacted=yes").text
    total = client.get("/api/documents?redacted=true").json()["total"]
    assert f"1–1 of {total} documents" in page and total >= 1
    if total > 1:
        nxt = html_mod.unescape(re.search(r'rel="next" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        assert "sort=-date" in nxt and "redacted=yes" in nxt and "limit=1" in nxt
        second = client.get(nxt).text
        assert f"2–2 of {total} documents" in second and 'rel="prev"' in second


def test_entity_page_shows_a_page_of_mentions_and_its_neighbours(client: Client) -> None:
    page = client.get("/entity/Peking?limit=3").text
    whole = client.get("/api/entities/Peking?limit=200").json()
    assert f"1–3 of {whole['total']} mentions" in page
    kwic = page[page.index('<ol class="kwic mentions">'): page.index("</ol>", page.index('<ol class="kwic')):]
    assert kwic.count("<mark>") >= 3
    assert "Named together with" in page and 'href="/entity/' in page.split("Named together with")[1]


def test_keyset_paging_in_sqlite_matches_a_sort_in_python() -> None:
    """Every order (mixed directions, ties) walked a page at a time gives every row once, in order."""
    import random
    import sqlite3

    from declass.web.pager import decode, from_rows, keyset

    rng = random.Random(5)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a INTEGER, b TEXT, id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO t VALUES (?,?,?)", [(rng.randint(0, 3), rng.choice("xyz"), i) for i in range(60)])
    for asc_a in (True, False):
        for asc_b in (True, False):
            cols = [("a", asc_a), ("b", asc_b), ("id", True)]
            order = ", ".join(f"{c} {'ASC' if up else 'DESC'}" for c, up in cols)
            want = db.execute(f"SELECT a, b, id FROM t ORDER BY {order}").fetchall()
            got: list[tuple[int, str, int]] = []
            after = None
            while True:
                cur = decode(after, 3)
                cond, params = keyset(cols, cur.key) if cur else ("1", [])
                rows = db.execute(f"SELECT a, b, id FROM t WHERE {cond} ORDER BY {order} LIMIT 8", params).fetchall()
                w = from_rows(rows, key=lambda r: tuple(r), total=60, limit=7, after=cur, before=None)
                got += w.items
                after = w.next
                if after is None:
                    break
            assert got == want


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_web_s_own_queries_page_alike_on_either_backend(backend: str, samples: Path, tmp_path: Path,
                                                             request: pytest.FixtureRequest) -> None:
    """The archive page's filters, the entity's mentions and their cursors are the web's own SQL: both stores."""
    db = str(tmp_path / "w.db") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
    client = Client(create_app(db, cache=False))
    docs, totals = walk(client, "/api/documents?limit=1&sort=-pages")
    assert totals == [2, 2] and [d["pages"] for d in docs] == sorted((d["pages"] for d in docs), reverse=True)
    assert [d["date"] for d in client.get("/api/documents?entity=Peking&date_to=1952").json()["items"]] == [
        "1952-09-10"]
    assert client.get("/api/documents?entity=Peking&redacted=false").json()["total"] == 0
    mentions, totals = walk(client, "/api/entities/Peking?limit=3")
    assert len(mentions) == totals[0] > 3 and all(m["citation"] for m in mentions)
    keys = [(m["date"] or "", m["document"], m["start"]) for m in mentions]
    assert keys == sorted(keys)
    page = client.get("/entity/Peking?limit=2").text
    assert f"1–2 of {totals[0]} mentions" in page and 'rel="next"' in page
