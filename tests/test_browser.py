"""The reading room in a real browser: Debian's Chromium driven by Playwright.

Screenshots are kept in tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import declass

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).parent / "artifacts"
OUTCOMES = str(Path(declass.__file__).parent / "data" / "outcomes" / "samples.yaml")
BRIEF = "1953-11-04-nsc-briefing-sino-soviet-relations"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("Chromium is missing: 'make test' installs it (apt-get install chromium)")
    pytest.skip("Chromium is not installed: 'make test' installs it", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "b.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
        a.find_links()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "declass", "serve", "--db", str(db), "--port", str(port),
                             "--outcomes", OUTCOMES], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/documents", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start: " + proc.stderr.read().decode() if proc.stderr else "")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_archive(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    rows = page.locator("#documents tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#documents")).to_contain_text("NIE-58")
    shot(page, "archive")


def test_open_nie58_and_jump_to_23b(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Relations Between the Chinese Communist Regime").click()
    expect(page.locator("h1#doc-title")).to_contain_text("Relations Between")
    page.locator('#outline a[data-label="23.b"]').click()
    assert page.url.endswith("#23.b")
    target = page.locator('section[id="23.b"]')
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text("Having provided assistance")
    assert page.evaluate("document.querySelector(':target').id") == "23.b"
    shot(page, "nie58-23b")


def test_copy_citation(page: Page, base_url: str) -> None:
    page.goto(base_url + "/doc/NIE-58#23.b")
    button = page.locator('section[id="23.b"] button.copy')
    button.click()
    assert "paragraph 23.b" in (button.get_attribute("data-copied") or "")


def test_briefing_readings_and_redline(page: Page, base_url: str) -> None:
    page.goto(base_url + f"/doc/{BRIEF}#V.A")
    va = page.locator('section[id="V.A"]')
    expect(va.locator(".text.typed")).to_contain_text("fairly")
    page.get_by_role("link", name="redline").click()
    assert "reading-redline" in (page.locator("body").get_attribute("class") or "")
    expect(va.locator(".text.redline del")).to_have_text("fairly")
    expect(va.locator(".text.redline ins")).to_contain_text("with consideration")
    expect(va.locator(".text.typed")).to_be_hidden()
    shot(page, "briefing-redline")
    page.get_by_role("link", name="as amended").click()
    expect(va.locator(".text.amended")).to_be_visible()
    expect(va.locator(".text.amended")).to_contain_text("with consideration")
    assert "reading=amended" in page.url
    page.get_by_role("link", name="as typed").click()
    expect(va.locator(".text.typed")).to_be_visible()
    expect(page.locator(".withheld").first).to_contain_text("Withheld: II.E")


def test_furniture_toggle(page: Page, base_url: str) -> None:
    page.goto(base_url + "/doc/NIE-58")
    page.locator("details.cover > summary").click()
    stamp = page.locator(".furniture.k-release_stamp").first
    expect(stamp).to_be_hidden()
    page.get_by_role("checkbox", name="page furniture").check()
    expect(stamp).to_be_visible()


def test_search(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Search the archive").fill("Peking")
    page.get_by_label("Search the archive").press("Enter")
    expect(page.locator("ol.hits li").first).to_be_visible()
    expect(page.locator("ol.hits")).to_contain_text("Peiping")
    expect(page.locator("mark").first).to_be_visible()
    shot(page, "search")


def test_entity_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/entity/Port%20Arthur")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("svg.map circle.here")).to_have_count(1)
    expect(page.locator("ol.mentions li").first).to_be_visible()
    shot(page, "entity-port-arthur")


def test_sort_judgments(page: Page, base_url: str) -> None:
    page.goto(base_url + "/judgments")
    header = page.locator('#judgments th[data-sort="num"]')
    header.click()
    values = page.locator("#judgments tbody td[data-value]").evaluate_all(
        "cells => cells.map(c => parseFloat(c.getAttribute('data-value')))")
    assert values == sorted(values) and len(values) > 20
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    values = page.locator("#judgments tbody td[data-value]").evaluate_all(
        "cells => cells.map(c => parseFloat(c.getAttribute('data-value')))")
    assert values == sorted(values, reverse=True)
    shot(page, "judgments")


def test_timeline_and_scores(page: Page, base_url: str) -> None:
    page.goto(base_url + "/timeline")
    expect(page.locator("#y1952 ol.timeline")).to_contain_text("1952-12-31")
    page.goto(base_url + "/scores")
    img = page.locator("figure img")
    expect(img).to_be_visible()
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 100
    shot(page, "scores")


def test_narrow_phone_width(browser: Any, base_url: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = ctx.new_page()
    for url in ("/", "/doc/NIE-58", "/search?q=Dairen", "/judgments"):
        pg.goto(base_url + url)
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (url, overflow)
    pg.goto(base_url + "/doc/NIE-58")
    outline = pg.locator("nav.outline").bounding_box()
    text = pg.locator("article.doc").bounding_box()
    assert outline and text and outline["y"] < text["y"]  # stacked, not side by side
    pg.screenshot(path=str(ARTIFACTS / "phone-reader.png"))
    ctx.close()


def test_keyboard_navigation_of_outline(page: Page, base_url: str) -> None:
    page.goto(base_url + "/doc/NIE-58")
    links = page.locator("#outline a")
    links.nth(0).focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('data-label')") == links.nth(1).get_attribute(
        "data-label")
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement === [...document.querySelectorAll('#outline a')].pop()")
    page.keyboard.press("Enter")
    assert "#" in page.url


CONTRAST = """
(sel) => {
  const lum = (rgb) => { const c = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const el = document.querySelector(sel);
  let bg = null, node = el;
  while (node) { const b = getComputedStyle(node).backgroundColor;
    if (b && !b.startsWith('rgba(0, 0, 0, 0)') && b !== 'transparent') { bg = b; break; } node = node.parentElement; }
  const a = lum(getComputedStyle(el).color), b = lum(bg || 'rgb(255,255,255)');
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def test_accessibility_basics(page: Page, base_url: str) -> None:
    for url in ("/", "/doc/NIE-58", "/search?q=Dairen", "/judgments", "/timeline", "/scores"):
        page.goto(base_url + url)
        for landmark in ("banner", "navigation", "main", "contentinfo"):
            assert page.get_by_role(landmark).count() >= 1, (url, landmark)
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
        assert unlabeled == [], (url, unlabeled)
        assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(base_url + "/doc/NIE-58")
    for sel in ("section[id='2'] .text", "section[id='2'] .label", "footer", ".cite-line", "header.top a.brand"):
        ratio = page.evaluate(CONTRAST, sel)
        assert ratio >= 4.5, (sel, ratio)


def test_release_reading_and_releases_page(browser: Any, tmp_path: Path) -> None:
    """Two releases of one bulletin: the Releases page charts them, and the release
    reading marks the revealed text, each mark linked to what hid it."""
    src = Path(__file__).resolve().parents[2] / "shared" / "devset" / "crest" / "CIA-RDP79T00975A005500490001-7"
    if not src.is_dir():
        pytest.skip("development set not present")
    (tmp_path / "in").mkdir()
    for name in ("redacted", "unredacted"):
        (tmp_path / "in" / f"cib-1961-02-28-{name}.txt").write_bytes((src / f"{name}.transcription.txt").read_bytes())
    db = tmp_path / "r.db"
    with declass.Archive(db) as a:
        a.ingest([tmp_path / "in"], workers=1)
        assert len(a.find_releases()) == 1
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "declass", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/documents", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        page.goto(url + "/releases")
        expect(page.locator("svg.chart")).to_have_count(4)
        expect(page.locator("#release-pairs tbody tr")).to_have_count(1)
        shot(page, "releases")
        page.locator("a.release-link").first.click()
        marks = page.locator("mark.revealed")
        assert marks.count() >= 5
        expect(page.locator("article.doc")).to_contain_text("King Husayn has written to Nasir")
        husayn = page.locator("mark.revealed", has_text="King Husayn has written to Nasir")
        expect(husayn).to_have_count(1)
        # OCR noise is listed apart and never marked revealed
        expect(page.locator("mark.revealed", has_text="Kuomingtang")).to_have_count(0)
        expect(page.locator("article.doc")).to_contain_text("Kuomintang / Kuomingtang")
        husayn.locator("a.fills").click()
        target = page.locator(":target")
        expect(target).to_have_attribute("id", husayn.locator("a.fills").get_attribute("href").lstrip("#"))
        expect(target).to_contain_text("in the earlier release at")
        shot(page, "release-reading")
        page.locator(":target a").first.click()  # back from the note to the revealed text
        expect(page.locator("mark.revealed:target")).to_have_count(1)
    finally:
        ctx.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def body_class(page: Page) -> str:
    return page.locator("body").get_attribute("class") or ""


def test_layers_switch_and_are_remembered(page: Page, base_url: str) -> None:
    """Quiet by default; each layer shows its marks and its legend line at once,
    and the browser remembers the choice on the next document."""
    page.goto(base_url + "/doc/NIE-58#5")
    five = page.locator('section[id="5"]')
    judgment = five.locator(".judgment").first
    assert judgment.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    expect(five.locator(".jbadge").first).to_be_hidden()
    expect(five.locator(".dissent")).to_be_hidden()
    expect(page.locator(".legend .for-judgments")).to_be_hidden()
    shot(page, "reader-quiet")
    page.get_by_role("checkbox", name="judgments").check()
    assert "layer-judgments" in body_class(page) and "layer=judgments" in page.url
    expect(five.locator(".jbadge").first).to_be_visible()
    expect(five.locator(".dissent")).to_have_count(1)
    expect(five.locator(".dissent")).to_contain_text("during the period of this estimate.")
    expect(page.locator(".legend .for-judgments")).to_be_visible()
    place = page.locator('section[id="6"] a.entity').first
    assert place.get_attribute("tabindex") == "-1"
    page.get_by_role("checkbox", name="people and places").check()
    assert place.get_attribute("tabindex") is None
    expect(page.locator(".legend .for-entities")).to_be_visible()
    page.locator('section[id="5"]').scroll_into_view_if_needed()
    shot(page, "reader-layers")
    page.goto(base_url + f"/doc/{BRIEF}")  # remembered per browser
    assert "layer-judgments" in body_class(page) and "layer-entities" in body_class(page)
    expect(page.get_by_role("checkbox", name="judgments")).to_be_checked()
    page.get_by_role("checkbox", name="redactions").check()
    expect(page.locator(".withheld").first).to_be_visible()
    page.get_by_role("checkbox", name="redactions").uncheck()
    expect(page.locator(".withheld").first).to_be_hidden()
    page.get_by_role("checkbox", name="judgments").uncheck()
    page.get_by_role("checkbox", name="people and places").uncheck()


def test_layers_work_without_javascript(browser: Any, base_url: str) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(base_url + "/doc/NIE-58")
    pg.get_by_role("checkbox", name="redactions").check()
    pg.get_by_role("button", name="Apply").click()
    assert "layer=redactions" in pg.url and "layer-redactions" in body_class(pg)
    pg.locator("details.cover > summary").click()
    marker = pg.locator(".furniture.k-exemption_marker .marker").first
    expect(marker).to_be_visible()
    assert marker.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    ctx.close()


def test_edits_layer_and_redline_keep_links(page: Page, base_url: str) -> None:
    page.goto(base_url + f"/doc/{BRIEF}?reading=redline&layer=entities&layer=edits&layer=redactions#II.F")
    block = page.locator('section[id="II.F"] .text.redline')
    expect(block).to_be_visible()
    expect(block.locator("a.entity").first).to_be_visible()
    expect(block.locator(".marker")).to_have_count(1)
    expect(block.locator("del").first).to_be_visible()
    shot(page, "briefing-redline-layers")
    page.get_by_role("link", name="as typed").click()
    struck = page.locator('section[id="II.F"] .text.typed .struck').first
    assert "line-through" in struck.evaluate("e => getComputedStyle(e).textDecorationLine")
    page.get_by_role("checkbox", name="handwritten edits").uncheck()
    assert "line-through" not in struck.evaluate("e => getComputedStyle(e).textDecorationLine")
    page.get_by_role("checkbox", name="people and places").uncheck()
    page.get_by_role("checkbox", name="redactions").uncheck()


def test_phone_reaches_metadata_from_the_top(browser: Any, base_url: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = ctx.new_page()
    pg.goto(base_url + "/doc/NIE-58")
    jump = pg.get_by_role("navigation", name="On this page")
    box = jump.bounding_box()
    assert box and box["y"] < 844  # on the first screen
    jump.get_by_role("link", name="Warnings (1)").click()
    expect(pg.locator("#warnings")).to_be_in_viewport()
    pg.screenshot(path=str(ARTIFACTS / "phone-reader-top.png"))
    ctx.close()


def test_timeline_axis_links_to_blocks(page: Page, base_url: str) -> None:
    page.goto(base_url + "/timeline")
    svg = page.locator("svg.timeline-chart")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box and box["height"] < 900 and box["width"] > 700  # a picture, not a 5,500-pixel list
    shot(page, "timeline")
    deadline = svg.locator("a:has(path.ev-deadline)").first
    deadline.click()
    assert "/doc/" in page.url and "#" in page.url
    expect(page.locator(":target")).to_be_visible()
    page.goto(base_url + "/timeline")
    page.get_by_role("link", name="1952", exact=True).click()
    expect(page.locator("#y1952")).to_be_in_viewport()


def test_entity_context_lines(page: Page, base_url: str) -> None:
    page.goto(base_url + "/entity/Port%20Arthur")
    lines = page.locator("ol.kwic li")
    assert lines.count() >= 5
    expect(lines.first.locator("mark")).to_have_text("Port Arthur")
    text = lines.first.locator(".ctx").inner_text()
    assert len(text) > len("Port Arthur") + 20
    shot(page, "entity-context")
    lines.first.locator(".where a").first.click()
    expect(page.locator(":target")).to_contain_text("Port Arthur")


def test_judgment_and_redaction_charts(page: Page, base_url: str) -> None:
    page.goto(base_url + "/judgments?limit=200")
    chart = page.locator("svg.term-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() >= 8
    strips = page.locator("svg.strip")
    expect(strips).to_have_count(2)  # a strip for each document on the page: both, on a page of 200
    shot(page, "judgments-chart")
    strips.first.locator("a").first.click()
    assert "layer-judgments" in body_class(page)
    page.goto(base_url + "/redactions")
    expect(page.locator("svg.redaction-chart").first).to_be_visible()
    expect(page.locator("#redaction-docs tbody tr")).to_have_count(2)
    shot(page, "redactions")


def test_new_pages_fit_a_phone(browser: Any, base_url: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = ctx.new_page()
    for url in ("/timeline", "/entity/Port%20Arthur", "/redactions", f"/doc/{BRIEF}?layer=judgments&layer=entities"):
        pg.goto(base_url + url)
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (url, overflow)
    pg.goto(base_url + "/timeline")
    pg.screenshot(path=str(ARTIFACTS / "phone-timeline.png"))
    ctx.close()


def test_accessibility_of_the_new_pages(page: Page, base_url: str) -> None:
    for url in ("/timeline", "/redactions", "/entity/Peking", "/doc/NIE-58?layer=entities&layer=judgments"):
        page.goto(base_url + url)
        for landmark in ("banner", "navigation", "main", "contentinfo"):
            assert page.get_by_role(landmark).count() >= 1, (url, landmark)
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
        assert unlabeled == [], (url, unlabeled)
    page.goto(base_url + "/doc/NIE-58?layer=entities&layer=judgments&layer=redactions")
    for sel in ("section[id='2'] .text", "section[id='6'] a.entity", ".jbadge .term", ".dissent", ".legend",
                ".pagebreak span", "details.cover > summary"):
        ratio = page.evaluate(CONTRAST, sel)
        assert ratio >= 4.5, (sel, ratio)
    page.goto(base_url + "/timeline")
    for sel in (".timeline .when", ".timeline .ctx", ".legend-line"):
        ratio = page.evaluate(CONTRAST, sel)
        assert ratio >= 4.5, (sel, ratio)
    page.goto(base_url + "/doc/NIE-58")  # layers reachable and operable by keyboard
    page.locator('form.layers input[name="layer"]').first.focus()
    page.keyboard.press("Space")
    assert "layer-entities" in body_class(page)
    page.keyboard.press("Space")
    assert "layer-entities" not in body_class(page)


def test_page_through_lists(page: Page, base_url: str) -> None:
    """A list a page at a time: the count says where we are, Next and Previous keep the filters and sort."""
    page.goto(base_url + "/?limit=1&sort=-date")
    expect(page.locator("nav.pager .count").first).to_have_text("1–1 of 2 documents")
    expect(page.locator("#documents tbody tr")).to_have_count(1)
    expect(page.locator("#documents")).to_contain_text("NSC Briefing")  # the later one first
    page.locator('nav.pager a[rel="next"]').first.click()
    expect(page.locator("nav.pager .count").first).to_have_text("2–2 of 2 documents")
    expect(page.locator("#documents")).to_contain_text("NIE-58")
    assert "sort=-date" in page.url and "limit=1" in page.url
    expect(page.locator('nav.pager a[rel="next"]')).to_have_count(0)
    page.locator('nav.pager a[rel="prev"]').first.click()
    expect(page.locator("#documents")).to_contain_text("NSC Briefing")

    page.goto(base_url + "/judgments?scale=icd203&limit=25")
    label = page.locator("nav.pager .count").first.inner_text()
    total = int(label.split(" of ")[1].split()[0].replace(",", ""))
    assert label.startswith("1–25 of ") and total > 25
    seen = page.locator("#judgments tbody tr").count()
    while page.locator('nav.pager a[rel="next"]').count():
        page.locator('nav.pager a[rel="next"]').first.click()
        assert "scale=icd203" in page.url and "limit=25" in page.url
        expect(page.locator("select[name=scale]")).to_have_value("icd203")
        seen += page.locator("#judgments tbody tr").count()
    assert seen == total
    expect(page.locator("nav.pager .count").first).to_contain_text(f"of {total} judgments")
    shot(page, "judgments-last-page")
