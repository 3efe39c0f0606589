from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from declass.model import Document, field_value
from declass.stages.clean.clean import classify_line, clean
from declass.stages.read.reader import read_text
from declass.text import lexicon


def cleaned(text: str) -> Document:
    return clean(read_text(text))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Approved For Release 2003/08/08 : CIA-RDP80R01443R000200010007-3", "release_stamp"),
        ("APPROVED FOR RELEASE DATE: MAY 2004", "release_stamp"),
        ("Sanitized Copy Approved for Release 2010/06/03 : CIA-RDP79R00890A000100040011-9", "release_stamp"),
        ("SECRET", "classification"),
        ("TOP SECRET", "classification"),
        ("CONFIDENTIAL", "classification"),
        ("S-E-C-R-E-T", "classification"),
        ("SECURITY INFORMATION", "classification"),
        ("7", "page_number"),
        ("- 12 -", "page_number"),
        ("COPY NO. 53", "copy_number"),
        ("RECORD COP", "record_copy"),
        ("25X1", "exemption_marker"),
        ("(b) (3)", "exemption_marker"),
        ("(b)(1), (b)(3)", "exemption_marker"),
    ],
)
def test_furniture_lines(line: str, kind: str) -> None:
    hit = classify_line(line)
    assert hit is not None and hit[0] == kind


@pytest.mark.parametrize(
    "line",
    ["SECRET agreements were signed.", "7. The Korean war", "Secretariat", "A. Moscow gives Mao", "1952"],
)
def test_body_lines_are_not_furniture(line: str) -> None:
    assert classify_line(line) is None


def test_release_stamp_fields() -> None:
    _, fields = classify_line("Approved For Release 2003/08/08 : CIA-RDP80R01443R000200010007-3")  # type: ignore[misc]
    assert fields == {"date": "2003/08/08", "archive_id": "CIA-RDP80R01443R000200010007-3"}


STAMP = re.compile(r"^\s*(approved for release.*|secret)\s*$", re.IGNORECASE | re.MULTILINE)


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_every_stamp_and_banner_is_furniture(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    expected = {m.start() + len(m.group()) - len(m.group().lstrip()) for m in STAMP.finditer(doc.text)}
    assert expected, "the samples carry stamps and banners"
    got = {f.start for f in doc.furniture if f.kind in ("release_stamp", "classification")}
    assert expected == got
    for b in doc.blocks:
        assert "Approved For Release" not in b.text
        assert "APPROVED FOR RELEASE" not in b.text
        assert not re.search(r"(^|\s)SECRET(\s|$)", b.text), b.label


def test_sample_furniture_kinds(nie58: Document, briefing: Document) -> None:
    kinds = {f.kind for f in nie58.furniture}
    assert {"release_stamp", "classification", "page_number", "copy_number", "record_copy",
            "exemption_marker"} <= kinds
    assert sum(f.kind == "exemption_marker" and f.text == "25X1" for f in briefing.furniture) == 20
    stamps = [f for f in briefing.furniture if f.kind == "release_stamp"]
    assert len(stamps) == 3
    assert all(f.fields["archive_id"] == "CIA-RDP80R01443R000200010007-3" for f in stamps)


def test_furniture_spans_point_at_source(nie58: Document) -> None:
    for f in nie58.furniture:
        assert nie58.text[f.start : f.end] == f.text


def test_pages_inferred_from_printed_numbers(nie58: Document) -> None:
    assert [p.number for p in nie58.pages] == [1, 2, 3, 5, 7, 9]
    assert all(p.inferred for p in nie58.pages)
    at = nie58.text.index("Moreover, as we have previously estimated")
    assert nie58.page_at(at) == 2


def test_hyphenated_words_rejoined(briefing: Document) -> None:
    body = " ".join(c.text for c in briefing.chunks)
    assert "eliminating Western influence" in body
    assert "Far Eastern Communist program" in body
    assert "Sino-Soviet alliance" in body
    assert "eliminat-" not in body


def test_wrapped_lines_join_with_spaces() -> None:
    doc = cleaned("C. Recognizing Peiping's fidelity,\nMalenkov has recently stated\npublicly.\n")
    assert [c.text for c in doc.chunks] == ["C. Recognizing Peiping's fidelity, Malenkov has recently stated publicly."]


def test_compound_hyphen_kept_when_both_halves_are_words() -> None:
    doc = cleaned("a two-\nyear silence on this subject\n")
    assert doc.chunks[0].text == "a two-year silence on this subject"


def test_list_items_start_new_chunks() -> None:
    doc = cleaned("II. Moscow has not moved:\n- A. First point;\n- B. Second point;\n")
    assert len(doc.chunks) == 3


@pytest.mark.parametrize(
    ("original", "corrected"),
    [("Stallnist", "Stalinist"), ("crientation", "orientation"), ("Rallway", "Railway"),
     ("Changehun", "Changchun")],
)
def test_ocr_confusions_repaired_with_provenance(nie58: Document, original: str, corrected: str) -> None:
    fixes = [c for c in nie58.corrections if c.original == original]
    assert fixes and all(c.corrected == corrected for c in fixes)
    for c in fixes:
        assert nie58.text[c.start : c.end] == original
    assert any(corrected in b.text for b in nie58.blocks)


@pytest.mark.parametrize("word", ["intermediaries", "Asis", "Peiping", "Sinkiang", "Vyshinsky", "billetting"])
def test_no_spurious_repairs(nie58: Document, word: str) -> None:
    assert not [c for c in nie58.corrections if c.original == word]


def test_raw_text_never_changes(nie58: Document, nie58_path) -> None:
    assert nie58.text == nie58_path.read_text("utf-8")


# -- furniture through OCR damage ----------------------------------------------
#
# Damaged furniture is made here by a seeded damage model (letter-spacing,
# character confusions, stray specks, dropped or doubled letters), never
# copied from one scan: each form must be recognised by the mechanism.

import random  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import declass  # noqa: E402
from declass.stages.clean.furniture import close_spacing  # noqa: E402
from declass.text.crest_id import ARCHIVE_ID, repair_archive_id  # noqa: E402

CONFUSE = {"O": "0", "0": "O", "I": "1", "1": "l", "S": "5", "5": "S", "B": "8", "E": "F", "T": "F", "C": "G",
           "e": "c", "o": "0", "l": "1", "i": "1", "m": "rn", "R": "K", "D": "O"}


def damage(text: str, rng: random.Random, *, edits: int = 1) -> str:
    """``text`` with up to ``edits`` OCR injuries: a confusion, a speck, a split word."""
    chars = list(text)
    for _ in range(edits):
        positions = [i for i, c in enumerate(chars) if c.strip()]
        i = rng.choice(positions)
        how = rng.choice(("confuse", "speck", "split"))
        if how == "confuse" and chars[i] in CONFUSE:
            chars[i] = CONFUSE[chars[i]]
        elif how == "speck":
            chars[i] = chars[i] + rng.choice("°'.-")
        else:
            chars[i] = chars[i] + " "
    return "".join(chars)


def letter_spaced(text: str) -> str:
    return "  ".join(" ".join(w) for w in text.split())


BANNERS = ["SECRET", "TOP SECRET", "CONFIDENTIAL", "RESTRICTED", "FOR OFFICIAL USE ONLY", "SECRET NOFORN"]


@pytest.mark.parametrize("seed", range(40))
def test_damaged_banners_are_classification(seed: int) -> None:
    rng = random.Random(seed)
    level = rng.choice(BANNERS)
    line = letter_spaced(level) if rng.random() < 0.4 else level
    line = damage(line, rng, edits=1 + (len(level) > 12))
    hit = classify_line(line.strip())
    assert hit is not None and hit[0] == "classification", line
    assert level.startswith(hit[1]["level"]), (line, hit)


@pytest.mark.parametrize(
    "line", ["S E C R E T", "SEC RE-T", "SECREF", "SJE C°R ET", "T O P  S E C R E T", "C0NFIDENTIAL", "RESTRlCTED"]
)
def test_damaged_banner_examples(line: str) -> None:
    hit = classify_line(line)
    assert hit is not None and hit[0] == "classification"


@pytest.mark.parametrize(
    "line",
    ["SECRETARY", "SECRETARIAT", "DECREE", "SECTION", "CONCLUSIONS", "DISCUSSION", "THE PROBLEM", "RESTRICTIONS",
     "CENTRAL INTELLIGENCE BULLETIN", "DAILY BRIEF", "I. THE COMMUNIST BLOC", "Secretary of State",
     "The review was completed in May.", "Approved for release by the committee on 12 May", "Army and Navy"],
)
def test_headings_and_prose_are_not_furniture(line: str) -> None:
    assert classify_line(line) is None


@pytest.mark.parametrize("seed", range(30))
def test_damaged_stamps_keep_their_fields(seed: int) -> None:
    rng = random.Random(1000 + seed)
    date = f"{rng.randint(1995, 2015)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    archive_id = (f"CIA-RDP{rng.randint(70, 99)}{rng.choice('RTSB')}{rng.randint(0, 99999):05d}"
                  f"{rng.choice('AR')}{rng.randint(0, 10**12 - 1):012d}-{rng.randint(0, 9)}")
    words = damage("Approved For Release", rng)
    line = f"{words} {date} : {archive_id}"
    hit = classify_line(line)
    assert hit is not None and hit[0] == "release_stamp", line
    assert hit[1]["date"] == date and hit[1]["archive_id"] == archive_id


@pytest.mark.parametrize(
    ("line", "kind", "field", "value"),
    [
        ("Copy No. C-57", "copy_number", "number", "C-57"),
        ("Copy No. 57", "copy_number", "number", "57"),
        ("C0PY N0. C 71", "copy_number", "number", "C 71"),
        ("DIA and DOS review(s) completed.", "review_stamp", "by", "DIA and DOS"),
        ("DlA and D0S revlew(s) comp1eted.", "review_stamp", "by", "DIA and DOS"),
        ("State Department review completed", "review_stamp", "by", "State Department"),
        ("State Dept. review completed", "review_stamp", "by", "State Dept."),
        ("Next 2 Page(s) In Document Exempt", "exempt_pages", "pages", "2"),
        ("Nexl 1 Page(s) ln Docurnent Exernpt", "exempt_pages", "pages", "1"),
        ("Page Denied", "exempt_pages", "reason", "Denied"),
        ("[PAGE 03]", "page_marker", "number", "03"),
        ("- 5 -", "page_number", "number", "5"),
        ("- 1O -", "page_number", "number", "10"),
        ("25X1A", "exemption_marker", "marker", "25X1A"),
    ],
)
def test_furniture_forms(line: str, kind: str, field: str, value: str) -> None:
    hit = classify_line(line)
    assert hit is not None and hit[0] == kind
    assert hit[1][field] == value


def _id(rng: random.Random) -> str:
    return (f"CIA-RDP{rng.randint(10, 99)}{rng.choice('RTSBM-')}{rng.randint(0, 99999):05d}{rng.choice('ARS')}"
            f"{rng.randint(0, 10**12 - 1):012d}-{rng.randint(0, 9)}")


@given(st.integers(min_value=0, max_value=10**9))
@settings(max_examples=200, deadline=None)
def test_archive_id_repair_never_invents(seed: int) -> None:
    """A repaired id always fits the shape, and a confusion-damaged id (O/0,
    I/1, S/5, B/8) comes back as the id that was printed."""
    rng = random.Random(seed)
    good = _id(rng)
    assert repair_archive_id(good) == good
    chars = list(good)
    swaps = {"0": "O", "1": "I", "5": "S", "8": "B"}
    for i in rng.sample(range(7, len(chars)), 3):
        if chars[i] in swaps and chars[i - 1] != "-":
            chars[i] = swaps[chars[i]]
    damaged = "".join(chars)
    fixed = repair_archive_id(damaged)
    assert fixed is None or ARCHIVE_ID.fullmatch(fixed)
    if damaged[9:10] != "-" and not any(c in "OISB" for c in damaged[9:10]):
        assert fixed == good, damaged


def test_archive_id_with_a_stray_character_is_repaired() -> None:
    assert repair_archive_id("CIA-RDP80ROQ1443R000200010007-3") == "CIA-RDP80R01443R000200010007-3"
    assert repair_archive_id("CIA-RDP79T00975A00520036-4") is None  # digits lost: no repair


def test_unrepairable_id_is_kept_with_a_warning() -> None:
    doc = cleaned("MEMORANDUM\n\nApproved For Release 2004/01/02 : CIA-RDP79T0097A0052003600-4\n\nText of the memo.\n")
    (f,) = [f for f in doc.furniture if f.kind == "release_stamp"]
    assert f.fields["archive_id"] == "CIA-RDP79T0097A0052003600-4"
    assert any("CIA-RDP79T0097A0052003600-4" in w for w in doc.warnings)


@given(st.text(alphabet="SECRTOP -°'0", min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_close_spacing_only_removes_spaces(line: str) -> None:
    assert close_spacing(line).replace(" ", "") == line.replace(" ", "")


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_classify_line_total(line: str) -> None:
    hit = classify_line(line.strip())
    assert hit is None or isinstance(hit[0], str)


def scanned(doc: Document, seed: int) -> tuple[str, list[str]]:
    """``doc``'s body lines re-paged as a damaged scan: each page opens and
    closes with a classification banner and a release stamp, letter-spaced
    or injured by the damage model; returns the text and the furniture lines."""
    rng = random.Random(seed)
    body = [doc.text[ln.start : ln.end] for ln in doc.lines if ln.kind != "furniture"]
    archive_id = field_value(doc.metadata, "archive_id")
    level = field_value(doc.metadata, "classification") or "SECRET"
    pages, furniture = [], []
    for n, k in enumerate(range(0, len(body), 45), start=1):
        stamp = "Approved For Release 2003/08/08" + (f" : {archive_id}" if archive_id else "")
        head = [damage(letter_spaced(level) if rng.random() < 0.5 else level, rng),
                damage(stamp, rng, edits=2)]
        foot = [f"- {n} -", damage(level, rng), damage(stamp, rng)]
        furniture += head + foot
        pages.append("\n".join([*head, "", *body[k : k + 45], "", *foot]))
    return "\n\f\n".join(pages) + "\n", furniture


@pytest.mark.parametrize("which", ["nie58", "briefing"])
@pytest.mark.parametrize("seed", range(1, 31))
def test_damaged_scan_furniture_stays_out_of_the_text(which: str, seed: int, request: pytest.FixtureRequest) -> None:
    clean_doc: Document = request.getfixturevalue(which)
    text, furniture = scanned(clean_doc, seed)
    doc = declass.parse(text)
    found = {doc.text[f.start : f.end] for f in doc.furniture}
    missed = [f for f in furniture if f.strip() not in found]
    assert not missed
    for b in doc.blocks:
        for f in furniture:
            assert f.strip() not in b.text, (b.label, f)
    md, md0 = doc.metadata, clean_doc.metadata
    assert field_value(md, "date") == field_value(md0, "date")
    assert field_value(md, "title") == field_value(md0, "title")
    assert field_value(md, "classification") == (field_value(md0, "classification") or "SECRET")
    if md0.get("archive_id"):
        assert field_value(md, "archive_id") == field_value(md0, "archive_id")


def test_running_heads_repeat_at_page_edges() -> None:
    pages = []
    for n in range(1, 6):
        pages.append(f"NIE-58: Sino-Soviet Relations\n\n{n}. Paragraph {n} says something of substance here.\n\n"
                     f"Draft of 3 May {n}")
    doc = cleaned("\n\f\n".join(pages) + "\n")
    heads = [doc.text[f.start : f.end] for f in doc.furniture if f.kind == "running_head"]
    assert heads.count("NIE-58: Sino-Soviet Relations") == 4  # the cover's stays body
    assert len([h for h in heads if h.startswith("Draft of")]) == 4
    assert not any("Paragraph" in h for h in heads)


def test_running_heads_use_measured_positions_when_known() -> None:
    pages = [f"Sino-Soviet Relations\n\nParagraph {n} of the text.\n\nSino-Soviet Relations" for n in range(4)]
    text = "\n\f\n".join(pages) + "\n"
    mid = {m.start(): 0.5 for m in re.finditer(r"(?m)^Sino-Soviet Relations$", text)}  # measured mid-page
    assert not [f for f in clean(read_text(text), positions=mid).furniture if f.kind == "running_head"]
    assert [f for f in clean(read_text(text)).furniture if f.kind == "running_head"]


def test_page_markers_are_page_breaks() -> None:
    doc = cleaned("[PAGE 01]\nCENTRAL INTELLIGENCE BULLETIN\n\n[PAGE 02]\nNext 1 Page(s) In Document Exempt\n\n"
                  "[PAGE 03]\nFirst item text.\n")
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.page_at(doc.text.index("First item")) == 3
    assert [f.kind for f in doc.furniture] == ["page_marker", "page_marker", "exempt_pages", "page_marker"]
    assert all("PAGE" not in c.text for c in doc.chunks)


def test_two_line_review_stamp() -> None:
    doc = cleaned("CENTRAL\nINTELLIGENCE\nBULLETIN\nArmy and Navy\nreview(s) completed.\n\nThe text.\n")
    assert [doc.text[f.start : f.end] for f in doc.furniture] == ["Army and Navy", "review(s) completed."]


CREST = Path("/work/shared/devset/crest")


@pytest.mark.skipif(not CREST.exists(), reason="development set not present")
def test_crest_transcriptions_furniture() -> None:
    """Copy numbers, review stamps and banners of the twelve CREST bulletins
    are furniture, never a title; every page marker makes a page."""
    for d in sorted(CREST.glob("CIA-RDP*")):
        text = (d / "redacted.transcription.txt").read_text("utf-8")
        doc = declass.parse(text)
        assert len(doc.pages) == len(re.findall(r"(?m)^\[PAGE \d+\]\s*$", text)), d.name
        for pat in (r"Copy No\.", r"review", r"TOP SECRET", r"\[PAGE"):
            for b in doc.blocks:
                assert not re.match(pat, b.text), (d.name, b.label, b.text[:60])
        title = field_value(doc.metadata, "title") or ""
        assert not title.lower().startswith(("copy no", "top secret", "page")), (d.name, title)


@pytest.mark.parametrize("seed", range(30))
def test_banner_echoed_at_page_edges(seed: int) -> None:
    """A banner the document prints cleanly is recognised in its damaged copies at page edges."""
    rng = random.Random(5000 + seed)
    level = rng.choice(["SECRET", "CONFIDENTIAL", "TOP SECRET", "RESTRICTED"])
    pages = []
    damaged = []
    for n in range(1, 5):
        bad = damage(level, rng, edits=2)
        damaged.append(bad)
        pages.append(f"{level if n == 1 else bad}\n\nParagraph {n} of the text runs on here at length.\n\n{bad}")
    doc = cleaned("\n\f\n".join(pages) + "\n")
    found = {doc.text[f.start : f.end] for f in doc.furniture if f.kind == "classification"}
    words_only = [d for d in damaged if any(lexicon.is_word(w.lower()) for w in re.findall(r"[A-Za-z]{3,}", d))]
    missed = [d for d in damaged if d.strip() not in found and d not in words_only]
    assert not missed
    assert not any("Paragraph" in b for b in found)


@pytest.mark.parametrize("word", ["DECREE", "Secretary", "SECTOR", "SELECT", "REGRET"])
def test_words_at_page_edges_are_not_banner_echoes(word: str) -> None:
    pages = [f"SECRET\n\nParagraph {n} of the text runs on here at length.\n\n{word if n == 1 else 'SECRET'}"
             for n in range(3)]
    doc = cleaned("\n\f\n".join(pages) + "\n")
    assert not [f for f in doc.furniture if doc.text[f.start : f.end] == word]


@pytest.mark.parametrize("seed", range(20))
def test_frus_running_heads_through_damage(seed: int) -> None:
    rng = random.Random(7000 + seed)
    page = rng.randint(2, 999)
    volume = rng.choice(["II", "XIX", "XXII", "XXX"])
    title = f"Foreign Relations, {rng.randint(1946, 1970)}–{rng.randint(1947, 1976)}, Volume {volume}"
    head = damage(f"{page}    {title}" if page % 2 == 0 else f"{title}    {page}", rng, edits=1)
    hit = classify_line(head.strip(), edge=True)
    assert hit is not None and hit[0] == "running_head", head
    assert classify_line(head.strip()) is None or classify_line(head.strip())[0] != "running_head"  # edges only


@pytest.mark.parametrize("line", ["Foreign Relations, 1952–1954, vol. XIV, Part 1, pp. 100–102.",
                                  "16 NSC 6018 is printed in Foreign Relations, 1958–1960, vol. XVIII."])
def test_frus_citations_are_not_running_heads(line: str) -> None:
    assert classify_line(line, edge=True) is None


@pytest.mark.parametrize("line", ["25x]", "25XL", "-25%1", "25X12 ,", "25x)"])
def test_damaged_25x1_standing_alone_is_a_marker(line: str) -> None:
    from declass.stages.clean.furniture import classify_line

    hit = classify_line(line)
    assert hit is not None and hit[0] == "exemption_marker" and hit[1]["marker"] == "25X1"


@pytest.mark.parametrize("line", ["25 miles away", "25x the size of it", "In 1925 X said"])
def test_numbers_in_prose_are_no_markers(line: str) -> None:
    from declass.stages.clean.furniture import classify_line

    assert classify_line(line) is None


def test_a_stamp_whose_date_ocr_garbled_is_still_a_stamp() -> None:
    from declass.stages.clean.furniture import classify_line

    hit = classify_line("Approved Fer Release 2203/08/08 : CIA-PDP20RO1.4432000700010")
    assert hit is not None and hit[0] == "release_stamp"
    assert "date" not in hit[1] and hit[1]["date_printed"] == "2203/08/08"  # never a made-up release date


@pytest.mark.parametrize("line", ["= 5 =", "-]2-", "=13-\u2014", "-4&-", "2."])
def test_a_damaged_page_number_is_furniture_only_at_a_page_edge(line: str) -> None:
    from declass.stages.clean.furniture import classify_line

    hit = classify_line(line, edge=True)
    assert hit is not None and hit[0] == "page_number"
    assert classify_line(line) is None  # in the body, "2." may open a point


def test_a_damaged_frus_running_head_at_a_page_edge() -> None:
    from declass.stages.clean.furniture import classify_line

    hit = classify_line("498 Foreign Relations, 1961-1963, Velum XXTI", edge=True)
    assert hit is not None and hit[0] == "running_head"
    assert classify_line("The foreign relations of 1955 were bad and getting worse all along the line.",
                         edge=True) is None


@pytest.mark.parametrize("line", ["Foreign. Relations, 1947-1949, Volume XIV = 3\u20ac1",
                                  "118 Foreign Relations, 1 @4-19 6, Volume XXIT",
                                  "Fo eign Relations 1950-1951, Votume VII 77"])
def test_a_frus_running_head_whose_years_or_page_ocr_lost(line: str) -> None:
    hit = classify_line(line, edge=True)
    assert hit is not None and hit[0] == "running_head"
    assert classify_line(line) is None


@pytest.mark.parametrize("line", ["See Foreign Relations, 1950, Volume VII, Part 1, pp. 10-12.",
                                  "16 NSC 6018 is printed in Foreign Relations, 1958\u20131960, Volume XVIII."])
def test_a_frus_citation_naming_a_volume_is_no_running_head(line: str) -> None:
    assert classify_line(line, edge=True) is None


@given(starts=st.lists(st.integers(min_value=0, max_value=500), max_size=6),
       offsets=st.lists(st.integers(min_value=0, max_value=600), max_size=40))
def test_each_lines_page_is_the_page_lookups(starts: list[int], offsets: list[int]) -> None:
    """pages_of walks lines and pages together; it must answer as page_lookup's search does,
    pages in order or not (a page list out of order falls back to the search)."""
    from declass.model import Page, page_lookup
    from declass.stages.clean.clean import pages_of

    pages = tuple(Page(n, s, s + 10) for n, s in enumerate(starts, start=3))
    lines = [(o, o + 1, "body", {}) for o in sorted(offsets)]
    at = page_lookup(pages)
    assert pages_of(lines, pages) == [at(o) for o in sorted(offsets)]
    assert pages_of(lines, tuple(sorted(pages, key=lambda p: p.start))) == [
        page_lookup(tuple(sorted(pages, key=lambda p: p.start)))(o) for o in sorted(offsets)]


@pytest.mark.parametrize("token, could", [("Comrnunist", True), ("goverment", True), ("USSR", False), ("the", False),
                                          ("ab1c", False), ("Bonn", False), ("government", False)])
def test_a_repairable_token_is_one_repair_would_consider(token: str, could: bool) -> None:
    """lexicon.repairable is the document-free half of repair: acronyms, short names, tokens with
    digits and dictionary words are never repaired, whatever the document's counts."""
    assert lexicon.repairable(token) is could
    if not could:
        assert lexicon.repair(token, {}) is None


def test_a_name_the_gazetteer_knows_is_never_repaired_into_a_word() -> None:
    """"France" is in no English word list, and one confusion ('e' for 'o') turns it into the
    dictionary word "franco": a proper name the gazetteer lists must come through intact."""
    assert "France" in lexicon.names()
    assert not any(lexicon.repair(name, {}) for name in lexicon.names())
    doc = declass.parse("SUBJECT: Relations with France\n\n1. Talks with France on Indochina began in Paris.\n")
    assert "France" in doc.blocks[-1].text and "Franco" not in "\n".join(b.text for b in doc.blocks)


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("The rnilitary forces moved.", ["The military forces moved."]),
        # a damaged word run into a digit is no word of its own: its chunk is left as it is
        ("The rnilitary2 unit moved.\n\nThe rnilitary forces.", ["The rnilitary2 unit moved.", "The military forces."]),
        # once a chunk holds the damaged word on its own, every copy of it there is repaired
        ("The rnilitary2 and rnilitary units.", ["The military2 and military units."]),
    ],
)
def test_repairs_are_looked_for_by_whole_words(text: str, repaired: list[str]) -> None:
    assert [c.text for c in cleaned(text).chunks] == repaired


def test_repairs_of_a_long_document_are_each_made() -> None:
    """A document with hundreds of distinct damaged words: each chunk is looked up by its words
    (an alternation of every repair made the stage quadratic in the document's length)."""
    words = sorted(w for w in lexicon.word_list() if len(w) >= 8 and w.isalpha() and "m" in w and w.islower())[:400]
    damaged = [w.replace("m", "rn", 1) for w in words]
    text = "\n\n".join(f"The {d} stands here." for d in damaged)
    seen = Counter(re.findall(r"[A-Za-z]+", text))
    meant = [lexicon.repair(d, seen) or d for d in damaged]
    assert sum(m != d for m, d in zip(meant, damaged, strict=True)) > 100
    doc = cleaned(text)
    assert [c.text for c in doc.chunks] == [f"The {m} stands here." for m in meant]
    assert len(doc.corrections) == sum(m != d for m, d in zip(meant, damaged, strict=True))


def _damaged_document(n: int) -> str:
    """``n`` paragraphs, each with a dictionary word OCR damaged ("rn" for "m"), most of them distinct."""
    words = sorted(w for w in lexicon.word_list() if len(w) >= 8 and w.isalpha() and "m" in w and w.islower())
    return "\n\n".join(f"The {words[i % len(words)].replace('m', 'rn', 1)} stands here." for i in range(n))


@pytest.mark.slow
def test_repairs_cost_about_the_length_of_the_document() -> None:
    """Eight times the damaged paragraphs (and about eight times the distinct repairs) take the clean
    stage well under 64 times as long (a quadratic step): one alternation of every repair, searched
    in every chunk, took 24 times as long.  Each size is timed on its first reading: a second reading
    of the small text finds every word in the stage's caches, which the large one's outgrow, so the
    least of several runs compared a warm small text with a cold large one (0.05 -> 1.1 s in one CI run).
    The garbage collector is off while each is timed: in the whole suite its full collections walk every
    object the other tests left, and the large text, allocating more, triggers more of them (0.09 -> 1.51 s
    in one CI run, where the stage alone reads 0.17 -> 0.99 s); an ingest worker freezes its heap for the
    same reason."""
    import gc
    import time

    def first(n: int) -> float:
        text = _damaged_document(n)
        gc.collect()
        gc.disable()
        try:
            t = time.process_time()
            cleaned(text)
            return time.process_time() - t
        finally:
            gc.enable()

    first(200)  # warm: the lexicon and the tables load once
    small, large = first(2000), first(16000)
    assert large < 16 * max(small, 0.05), f"clean: {small:.2f} s -> {large:.2f} s on 8x the text"


_LINE = st.text(alphabet="ab- ", max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, max_size=6), st.booleans())
def test_lines_joined_from_their_spans_are_the_views_joined(lines: list[str], stripped: bool) -> None:
    """`join_spans` (what clean builds chunks with) gives the view `join_lines` gives, text and map,
    for lines hyphenated, empty or not: "eliminat-" + "ing", "Sino-" + "Soviet", spaces."""
    from declass.stages.clean.clean import join_lines, join_spans
    from declass.text.textmap import MappedText

    source = "\n".join(ln.strip() if stripped else ln for ln in lines)
    spans, pos = [], 0
    for ln in source.split("\n"):
        spans.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    joined = join_spans(source, spans)
    assert joined == join_lines([MappedText.of_source(source, a, z) for a, z in spans])


@pytest.mark.parametrize(("lines", "text"), [
    (["the elimi-", "nation of", "Sino-", "Soviet ties"], "the elimination of Sino-Soviet ties"),
    (["one", "", "two-"], "one two-"),
])
def test_lines_joined_from_their_spans(lines: list[str], text: str) -> None:
    from declass.stages.clean.clean import join_spans

    source = "\n".join(lines)
    spans, pos = [], 0
    for ln in lines:
        spans.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    view = join_spans(source, spans)
    assert view.text == text
    assert view.span_to_source(0, len(text)) == (0, len(source))


@pytest.mark.parametrize("tokens", [["Thc", "the", "Changchun", "goverment", "thc", "Thc"], ["rnove", "UN", "a"]])
def test_repairable_among_is_repairable_asked_of_each(tokens: list[str]) -> None:
    """The look-ups kept per process answer as `repairable` does, asked again too."""
    for _ in range(2):
        assert sorted(lexicon.repairable_among(tokens)) == sorted({t for t in tokens if lexicon.repairable(t)})
