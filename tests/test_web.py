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
        ("/api/documents", lambda d: {x["id"] for x in d} >= {NIE, BRIEF}),
        ("/api/documents?type=NSC+Briefing", lambda d: [x["id"] for x in d] == [BRIEF]),
        (f"/api/documents/{NIE}", lambda d: d["metadata"]["doc_number"]["value"] == "NIE-58"),
        ("/api/documents/NIE-58/blocks/23.b", lambda d: d["label"] == "23.b" and "paragraph 23.b" in d["citation"]),
        ("/api/search?q=Dairen&limit=5", lambda d: 0 < len(d) <= 5 and d[0]["highlights"]),
        ("/api/search?q=Peking&any_spelling=true", lambda d: any("Peiping" in h["snippet"] for h in d)),
        ("/api/entities?doc=NIE-58&type=place", lambda d: all(x["type"] == "place" for x in d)),
        ("/api/entities/Peiping", lambda d: d["entity"]["name"] and d["mentions"]),
        ("/api/judgments?scale=icd203&max=0.2", lambda d: d and all(x["range"][1] <= 0.2 for x in d)),
        ("/api/events?date_from=1950&date_to=1950-12-31", lambda d: any(x["date"] == "1950-02-14" for x in d)),
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
    assert f"{len(api)} judgments" in html


def test_document_text_is_escaped(client: Client) -> None:
    docs = client.get("/api/documents").json()
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

    from declass.cli import app

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
    assert "1 of 1 documents" in again.text
    with declass.Archive(db) as a:
        a.ingest([samples / "1952-09-10_nie-58_sino-soviet-relations.txt"], workers=1)
    fresh = client.get("/")
    assert fresh.headers.get("X-Cache") is None and "2 of 2 documents" in fresh.text
