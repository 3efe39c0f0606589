"""Generate a large, realistic corpus from the sample documents and from
documents written for the benchmark (``bench/templates/``).

Eight layouts, mixed:

* **estimate** — a sample with its paragraphs shuffled within their section
  and their numbers shifted; SECRET banners and a CREST release stamp;
* **memo** — a memorandum header (FOR / FROM / SUBJECT / DATE), numbered
  paragraphs drawn from every source, some split into a./b. points, and
  ``25X1`` exemption lines where text was withheld; ``- 2 -`` page numbers;
* **frus** — a FRUS document heading, place and date, numbered paragraphs
  with bracketed notes (``[1 line not declassified]``), a source note, and
  the volume's running head;
* **briefing** — roman-numbered sections of lettered points, as in the NSC
  briefing;
* **bulletin** — a CIA Current Intelligence Bulletin: date and copy number,
  a contents page of numbered items with their page, Part I/II/III headings,
  numbered item headings ending in a colon, each item's text and "Comment:";
* **memcon** — a memorandum of conversation: place and date, SUBJECT and
  PARTICIPANTS (people under their country), then the conversation;
* **telegram** — a State Department telegram: FROM / TO / NO. / REPEATED
  lines, a classification and a date-time group, numbered paragraphs, the
  signature;
* **minutes** — notes of an NSC meeting: meeting number, those present,
  numbered agenda items with the discussion and an "Action:" line.

Every layout then gets OCR noise (the confusions of ``data/ocr_confusions.tsv``),
lines wrapped at a typewriter's width with some words hyphenated across the
break, and a form feed between pages as pdftotext writes them.
Deterministic for a seed.

    python bench/corpus.py OUT_DIR --pages 20000
"""

from __future__ import annotations

import argparse
import random
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from declass.samples import sample_paths
from declass.text.lexicon import confusions

TEMPLATES = Path(__file__).parent / "templates"
VERSION = 3  # change when the output changes: cached corpora are keyed by it
LINES_PER_PAGE = 40
NUMBERED = re.compile(r"^(- )?(\d{1,2})\. ")
WORD = re.compile(r"[A-Za-z]{4,}")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PLACES = ["Moscow", "Peiping", "Hong Kong", "Tokyo", "London", "New Delhi", "Taipei", "Seoul"]
RECIPIENTS = ["Director of Central Intelligence", "The Secretary of State", "Special Assistant to the President",
              "Deputy Director (Intelligence)", "Chairman, Board of National Estimates"]
SENDERS = ["Assistant Director, National Estimates", "Assistant Director, Current Intelligence",
           "Chief, Far East Division", "Director of Intelligence and Research"]
FRUS_NOTES = ["[1 line not declassified]", "[text not declassified]", "[name not declassified]",
              "[2 paragraphs (9 lines of source text) not declassified]", "[less than 1 line not declassified]"]


@dataclass(frozen=True)
class Page:
    """Furniture of a layout: banner, page-number style, running head, stamp."""

    banner: str | None
    number: Callable[[int], str]
    head: str | None = None
    stamp: bool = True


@lru_cache(maxsize=1)
def _letter_confusions() -> list[tuple[str, str]]:
    return [(seen, meant) for seen, meant in confusions() if any(ch.isalpha() for ch in meant)]


def noisy(line: str, rng: random.Random, rate: float) -> str:
    """Replace a share ``rate`` of the words with an OCR confusion of themselves (of their letters: the
    table's digit look-alikes cannot change the words `WORD` picks)."""
    pairs = _letter_confusions()

    def swap(m: re.Match[str]) -> str:
        w = m.group()
        if rng.random() >= rate:
            return w
        seen, meant = rng.choice(pairs)
        i = w.find(meant)
        return w if i < 0 else w[:i] + seen + w[i + len(meant) :]

    return WORD.sub(swap, line)


MARKER = re.compile(r"^(- )?(\d{1,2}|[A-Za-z]|[IVX]+)\. ")


def units(text: str) -> list[str]:
    """Paragraphs and points of a text, markers removed, each on one line:
    a unit starts after a blank line or at a line that opens with a marker."""
    out: list[str] = []
    cur: list[str] = []
    for line in [*text.splitlines(), ""]:
        m = MARKER.match(line)
        if (not line.strip() or m) and cur:
            out.append(" ".join(" ".join(cur).split()))
            cur = []
        if line.strip():
            cur.append(line[m.end():] if m else line)
    return out


def body_pool(texts: list[str]) -> list[str]:
    """Paragraphs of every source without editing marks: what layouts draw on."""
    return [u for t in texts for u in units(t) if len(u) > 80 and not re.search(r"~~|\^\{|\[\^|\|", u)]


def wrap(par: str, rng: random.Random, width: int, hyphenate: float) -> list[str]:
    """Lines of a paragraph at a typewriter's width, some words broken with a hyphen."""
    lines = textwrap.wrap(par, width=width, break_long_words=False, break_on_hyphens=False)
    out: list[str] = []
    carry = ""
    for i, line in enumerate(lines):
        line = carry + line
        carry = ""
        last = line.rsplit(" ", 1)[-1]
        if i < len(lines) - 1 and len(last) >= 8 and last.isalpha() and rng.random() < hyphenate:
            cut = rng.randint(3, len(last) - 3)
            line, carry = line[: len(line) - len(last) + cut] + "-", last[cut:] + " "
        out.append(line)
    if carry:
        out.append(carry.strip())
    return out


def estimate(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    """A sample, its numbered paragraphs shuffled within their run and renumbered."""
    paras = [p.strip("\n") for p in re.split(r"\n\s*\n", rng.choice(samples)) if p.strip()]  # as typed
    shift = rng.randint(0, 20)
    out: list[str] = []
    run: list[str] = []
    for p in [*paras, ""]:
        m = NUMBERED.match(p)
        if m:
            run.append(NUMBERED.sub(lambda m: f"{m.group(1) or ''}{int(m.group(2)) + shift}. ", p, count=1))
            continue
        rng.shuffle(run)
        out += run
        run.clear()
        if p:
            out.append(p)
    return out, Page("SECRET", lambda n: str(n))


def _date(rng: random.Random) -> tuple[int, str, int]:
    return rng.randint(1, 28), rng.choice(MONTHS), rng.randint(1950, 1962)


def memo(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    own = body_pool([(TEMPLATES / "memo.txt").read_text("utf-8")])[1:]
    day, month, year = _date(rng)
    cls = rng.choice(["SECRET", "CONFIDENTIAL", "TOP SECRET"])
    subject = rng.choice(["Soviet Reactions to a Formosa Defense Treaty", "Chinese Communist Intentions in Indochina",
                          "The Sino-Soviet Alliance After Stalin", "Soviet Aid to Communist China"])
    out = [f"MEMORANDUM FOR: {rng.choice(RECIPIENTS)}", f"FROM: {rng.choice(SENDERS)}",
           f"SUBJECT: {subject}", f"DATE: {day} {month} {year}"]
    for n in range(1, rng.randint(4, 12) + 1):
        p = rng.choice(own if rng.random() < 0.4 else pool)
        if rng.random() < 0.12:
            out.append("25X1")
        sentences = re.split(r"(?<=[.;]) ", p)
        if len(sentences) >= 3 and rng.random() < 0.3:
            out.append(f"{n}. {sentences[0]}")
            out += [f"{'abcdefgh'[i]}. {s}" for i, s in enumerate(sentences[1:4])]
        else:
            out.append(f"{n}. {p}")
    return out, Page(cls, lambda n: f"- {n} -")


def frus(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    body = [u for u in units((TEMPLATES / "frus-telegram.txt").read_text("utf-8"))[2:]
            if len(u) > 40 and not u.startswith("Source:")]
    day, month, year = _date(rng)
    place = rng.choice(PLACES)
    number = rng.randint(1, 400)
    kind = rng.choice(["Telegram From the Embassy in the Soviet Union to the Department of State",
                       "Memorandum From the Secretary of State to the President",
                       "Despatch From the Consulate General at Hong Kong to the Department of State"])
    out = [f"{number}. {kind}\u00b9", f"{place}, {month} {day}, {year}."]
    for n in range(1, rng.randint(3, 9) + 1):
        p = rng.choice(body if rng.random() < 0.4 else pool)
        if rng.random() < 0.25:
            words = p.split()
            at = rng.randint(1, max(1, len(words) - 1))
            p = " ".join([*words[:at], rng.choice(FRUS_NOTES), *words[at:]])
        out.append(f"{n}. {p}")
    out.append(f"\u00b9 Source: Department of State, Central Files, 661.93/{rng.randint(1, 12)}-{day}{year % 100}. "
               f"{rng.choice(['Secret', 'Confidential', 'Top Secret'])}.")
    volume = rng.choice(["China and Japan, Volume XIV", "Eastern Europe; Soviet Union, Volume VIII"])
    return out, Page(None, lambda n: str(100 + n), head=f"Foreign Relations, 1952\u20131954, {volume}", stamp=False)


def briefing(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    day, month, year = _date(rng)
    out = ["BRIEFING NOTES", f"{day} {month} {year}", rng.choice(["THE CHINESE COMMUNIST ECONOMY",
                                                                "SINO-SOVIET RELATIONS", "THE KOREAN ARMISTICE"])]
    own = [u for u in units((TEMPLATES / "briefing.txt").read_text("utf-8")) if u.endswith(";")]
    sentences = _sentences(pool)
    for sec in range(1, rng.randint(3, 8) + 1):
        roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][sec - 1]
        out.append(f"{roman}. {rng.choice(sentences).rstrip('.')}:")
        for i in range(rng.randint(2, 6)):
            point = rng.choice(own) if rng.random() < 0.3 else rng.choice(sentences)
            out.append(f"- {'ABCDEFGH'[i]}. {point}")
        if rng.random() < 0.1:
            out.append("25X1")
    return out, Page("SECRET" if rng.random() < 0.5 else None, lambda n: str(n))


COUNTRIES = {"Japan": ["Prime Minister Hayato Ikeda", "Foreign Minister Zentaro Kosaka",
                       "Koichiro Asakai, Japanese Ambassador to the United States"],
             "Korea": ["Chairman Chang To-yong", "Foreign Minister Kim Hong-il", "Ambassador Il Kwon Chung"],
             "United Kingdom": ["Foreign Secretary Selwyn Lloyd", "Sir Harold Caccia, British Ambassador"],
             "United States": ["The Secretary of State", "Walter S. Robertson, Assistant Secretary of State",
                               "Ambassador Samuel D. Berger", "J. Graham Parsons, Deputy Assistant Secretary"]}
PARTS = ["THE COMMUNIST BLOC", "ASIA-AFRICA", "THE WEST"]
ITEMS = ["Soviet pressure on Berlin access continues", "Peiping propaganda attacks US policy in Laos",
         "Chinese Communist troop movements reported near Tibet", "Japanese Socialists plan new treaty protests",
         "Yugoslavia seeks Western credits", "Indonesian army tightens control in Sumatra",
         "Iraqi regime faces Communist pressure", "French position in Algeria weakens",
         "Moscow renews offer of economic aid to Cairo", "Polish leaders resist Soviet demands"]
AGENDA = ["U.S. Policy Toward Korea", "Significant World Developments Affecting U.S. Security", "Laos",
          "The Situation in the Formosa Straits", "Mutual Security Program"]
SPEAKERS = ["The President", "Secretary Dulles", "Mr. Allen Dulles", "Secretary McNamara", "Mr. Rusk",
            "Admiral Radford", "Mr. Stassen", "The Vice President"]


def lower_first(s: str) -> str:
    """A sentence reported after "said that": its first word in lower case unless a name or acronym."""
    first = s.split(" ", 1)[0]
    return s if first.isupper() or first in ("Peiping", "Moscow", "Mao", "Stalin") else s[:1].lower() + s[1:]


def _sentences(pool: list[str]) -> list[str]:
    return [s for p in pool for s in re.split(r"(?<=\.) ", p) if 40 < len(s) < 220]


def bulletin(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    """A daily bulletin: cover, contents of numbered items by Part, then each item and its comment."""
    day, month, year = _date(rng)
    items = rng.sample(ITEMS, rng.randint(3, 7))
    parts = sorted(rng.choices(range(len(PARTS)), k=len(items)))
    out = [f"{day} {month} {year}", f"Copy No. C {rng.randint(1, 90)}", "CURRENT INTELLIGENCE BULLETIN",
           "Office of Current Intelligence", "CENTRAL INTELLIGENCE AGENCY", "SUMMARY"]
    for part in sorted(set(parts)):
        out.append(f"{'I' * (part + 1)}. {PARTS[part]}")
        out += [f"{n}. {items[n - 1]} (page {n + 3})." for n in range(1, len(items) + 1) if parts[n - 1] == part]
    for part in sorted(set(parts)):
        out.append(f"PART {'I' * (part + 1)}")
        out.append(PARTS[part])
        for n in range(1, len(items) + 1):
            if parts[n - 1] != part:
                continue
            out.append(f"{n}. {items[n - 1]}:")
            out += [rng.choice(pool) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.7:
                out.append(f"Comment: {rng.choice(pool)}")
            if rng.random() < 0.1:
                out.append("25X1")
    return out, Page(rng.choice(["TOP SECRET", "SECRET"]), lambda n: str(n))


def memcon(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    """A memorandum of conversation: heading, subject, participants by country, the talk."""
    day, month, year = _date(rng)
    other = rng.choice([c for c in COUNTRIES if c != "United States"])
    hour = f"{rng.randint(1, 11)}:{rng.choice(['00', '15', '30'])} {rng.choice(['a.m.', 'p.m.'])}"
    out = ["MEMORANDUM OF CONVERSATION", f"Washington, {month} {day}, {year}, {hour}",
           "SUBJECT", rng.choice(["Korea", "The Offshore Islands", "Trade with Communist China", "Laos"]),
           "PARTICIPANTS"]
    for country in (other, "United States"):
        out.append(country)
        out += rng.sample(COUNTRIES[country], rng.randint(2, len(COUNTRIES[country])))
    sentences = _sentences(pool)
    for _ in range(rng.randint(4, 10)):
        who = rng.choice(["The Prime Minister", "The Secretary", "The Ambassador", "The President"])
        out.append(f"{who} said that {lower_first(rng.choice(sentences))}"
                   + (" " + rng.choice(pool) if rng.random() < 0.6 else ""))
    return out, Page(rng.choice(["SECRET", "CONFIDENTIAL"]), lambda n: f"- {n} -")


def telegram(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    """An incoming State Department telegram: routing lines, date-time group, numbered paragraphs, signature."""
    day, month, year = _date(rng)
    place = rng.choice(PLACES)
    cls = rng.choice(["SECRET", "CONFIDENTIAL"])
    out = ["INCOMING TELEGRAM  Department of State", f"FROM: {place}", "TO: Secretary of State",
           f"NO: {rng.randint(100, 2400)}, {month} {day}, {rng.randint(1, 11)} p.m.",
           f"REPEATED INFORMATION: {', '.join(rng.sample(PLACES, 2))}",
           f"{day} {month[:3].upper()} {year % 100} {rng.randint(10, 23)}{rng.randint(10, 59)}Z"]
    for n in range(1, rng.randint(3, 8) + 1):
        p = rng.choice(pool)
        out.append(f"{n}. {p.upper() if rng.random() < 0.3 else p}")
    out.append(rng.choice(["BOHLEN", "GREEN", "DRUMRIGHT", "BEAM", "MCCONAUGHY"]))
    return out, Page(cls, lambda n: f"- {n} -", stamp=rng.random() < 0.5)


def minutes(rng: random.Random, samples: list[str], pool: list[str]) -> tuple[list[str], Page]:
    """Notes of an NSC meeting: who was present, then numbered agenda items, discussion and action."""
    day, month, year = _date(rng)
    meeting = rng.randint(150, 500)
    out = [f"Notes of the {meeting}th Meeting of the National Security Council",
           f"Washington, {month} {day}, {year}.",
           "Present at the meeting were: " + ", ".join(rng.sample(SPEAKERS, 5)) + "."]
    for n, item in enumerate(rng.sample(AGENDA, rng.randint(2, len(AGENDA))), 1):
        out.append(f"{n}. {item}")
        for _ in range(rng.randint(1, 3)):
            out.append(f"{rng.choice(SPEAKERS)} {rng.choice(['said', 'noted', 'pointed out'])} that "
                       f"{lower_first(rng.choice(pool))}")
        if rng.random() < 0.6:
            out.append(f"Action: The Council noted and discussed the report (NSC Action No. "
                       f"{rng.randint(1000, 2500)}).")
    return out, Page(rng.choice(["TOP SECRET", "SECRET"]), lambda n: str(n))


LAYOUTS: dict[str, tuple[Callable[..., tuple[list[str], Page]], int]] = {
    "estimate": (estimate, 3), "memo": (memo, 4), "frus": (frus, 4), "briefing": (briefing, 2),
    "bulletin": (bulletin, 3), "memcon": (memcon, 2), "telegram": (telegram, 2), "minutes": (minutes, 1)}


def lay_out(paras: list[str], rng: random.Random, noise: float) -> list[str]:
    width = rng.randint(62, 80)
    hyphenate = rng.uniform(0.0, 0.25)
    lines: list[str] = []
    for p in paras:
        typed = p.splitlines() if "\n" in p else wrap(p, rng, width, hyphenate)
        lines += [noisy(ln, rng, noise) for ln in typed]
        lines.append("")
    return lines


def paginate(lines: list[str], rng: random.Random, page: Page, archive_id: str) -> tuple[str, int]:
    """Lay lines out on pages with the layout's furniture; returns text and page count."""
    pages: list[str] = []
    for start in range(0, len(lines), LINES_PER_PAGE):
        n = len(pages) + 1
        body = "\n".join(lines[start : start + LINES_PER_PAGE])
        head = [x for x in (page.banner, page.head if n > 1 else None, page.number(n) if n > 1 else None) if x]
        foot = [x for x in (page.banner,) if x]
        if page.stamp:
            foot.append(f"Approved For Release 2004/05/{rng.randint(10, 28)} : {archive_id}")
        pages.append("\n\n".join([*head, body, *foot]) + "\n")
    return "\f".join(pages), len(pages)


def generate(out: Path, pages: int, *, seed: int = 1952, noise: float = 0.02) -> tuple[int, int]:
    """Write documents to ``out`` until they hold ``pages`` pages: (documents, pages)."""
    rng = random.Random(seed)
    samples = [p.read_text("utf-8") for p in sample_paths()]
    pool = body_pool(samples + [p.read_text("utf-8") for p in sorted(TEMPLATES.glob("*.txt"))])
    names, weights = list(LAYOUTS), [w for _, w in LAYOUTS.values()]
    out.mkdir(parents=True, exist_ok=True)
    total = docs = 0
    while total < pages:
        # every layout once first, so even a small corpus holds each genre; then by weight
        layout = names[docs] if docs < len(names) else rng.choices(names, weights)[0]
        paras: list[str] = []
        page = Page(None, str)
        for _ in range(rng.randint(1, 3) if layout == "estimate" else 1):  # estimates of 1-3 samples' length
            more, page = LAYOUTS[layout][0](rng, samples, pool)
            paras += more
        archive_id = (f"CIA-RDP{rng.randint(70, 99)}R{rng.randint(10000, 99999)}"
                      f"R{rng.randint(10**11, 10**12 - 1)}-{rng.randint(0, 9)}")
        lines = lay_out(paras, rng, noise * rng.uniform(0.2, 2.0))
        text, n = paginate(lines, rng, page, archive_id)
        (out / f"gen-{docs:06d}-{layout}.txt").write_text(text, "utf-8")
        docs += 1
        total += n
    return docs, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1952)
    args = ap.parse_args()
    docs, pages = generate(args.out, args.pages, seed=args.seed)
    print(f"{docs} documents, {pages} pages in {args.out}")


if __name__ == "__main__":
    main()
