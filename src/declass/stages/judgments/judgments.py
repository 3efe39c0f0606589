"""Judgments: every estimative statement, its probability, horizon and dissent.

Each sentence of a body block is searched for the estimative vocabulary
(``data/scales/terms.yaml``).  A sentence with one is a judgment: the
strongest expression in it is its term ("we believe it unlikely that" is
*unlikely*), the clause it governs is its claim, kept in positive form
("almost certain that the Kremlin will not attempt X" gives a low
probability for "the Kremlin will attempt X"), and its probability is
the term's band under each scale.  Terms that express only possibility
("may", "might") are judgments with no probability, marked unmapped.

Horizon: an explicit one in the sentence, else the estimate's own period
(NIE-58: two years from 10 September 1952), with open-ended phrases ("over
the long run") recorded as such.  Dissent: reservations the metadata stage
read, attached to the paragraphs they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from declass.model import Block, Dissent, Document, Horizon, Judgment, MetadataField, field_part, field_value
from declass.stages.events import annex_map
from declass.stages.judgments.scales import BUILTIN, Band, load_scale, probability, vocabulary
from declass.stages.markup import in_deleted_text
from declass.text import dates
from declass.text.patterns import first_letters
from declass.text.sentences import sentences

BODY_KINDS = frozenset({"paragraph", "sub-paragraph", "point", "section", "item"})
# strongest first: an explicit likelihood governs the hedges around it
RANK_ALIAS = {"we estimate": 11, "we believe": 11}  # equals: the one governing a clause wins
PRIORITY = ("almost certainly not", "impossible", "certain", "almost certain", "very likely", "unlikely", "even",
            "probable", "we doubt", "undoubtedly", "realistic possibility", "we estimate", "we believe",
            "presumably", "cannot be confirmed", "may", "will")
NEGATIVE_TERMS = frozenset({"almost certainly not", "impossible", "unlikely", "we doubt"})
ADJECTIVAL = re.compile(r"\b(?:the|a|an|its|their|his|her|our|these|those|this|that|all|any|some)\s+$", re.I)
ADJ_FORMS = frozenset({"certain", "possible", "probable", "likely", "remote"})
# (each opens with `first_letters`: a position that cannot begin a match fails at once)
_NEGATING = (r"not(?!\s+only)", "never", "neither")
_CONTRACTED = r"n't"
NEGATION = re.compile(rf"{first_letters((*_NEGATING, _CONTRACTED))}(?:\b(?:{'|'.join(_NEGATING)})\b|{_CONTRACTED}\b)",
                      re.IGNORECASE)
OPEN_ENDED_PHRASES = ("over the long run", "in the long run", "in the long term", "over the long term",
                      "in the foreseeable future", "sooner or later", "eventually", "ultimately", "in the future")
OPEN_ENDED = re.compile(rf"{first_letters(OPEN_ENDED_PHRASES)}\b(?:{'|'.join(OPEN_ENDED_PHRASES)})\b", re.IGNORECASE)
_IN_THE_PERIOD = ("during", "for", "within", "in")
PERIOD_REF = re.compile(rf"{first_letters(_IN_THE_PERIOD)}\b(?:{'|'.join(_IN_THE_PERIOD)})\s+the\s+period\s+of"
                        r"\s+this\s+estimate\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Hedge:
    term: str
    form: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _forms_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for name, term in vocabulary().items():
        for form in term.forms:
            owner.setdefault(form.lower(), name)
    return re.compile(rf"(?<![\w-])(?:{trie_pattern(owner)})(?![\w-])", re.IGNORECASE), owner


def trie_pattern(forms: Iterable[str]) -> str:
    """One regex for many phrases, their common prefixes shared (``almost certain(?:ly)?``).

    A flat alternation of 93 phrases is tried phrase by phrase at every
    position; the trie dispatches on the first letter, and matches the
    longest phrase first as the flat one, sorted by length, did."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for ch in " ".join(form.lower().split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if len(alts) == 1 and "" not in node:
            return alts[0]
        return "(?:" + "|".join(alts) + ")" + ("?" if "" in node else "")

    return emit(root)


CLAUSE_BREAK = re.compile(r";\s+")
CONCESSIVE = re.compile(r"^(?:Although|Though|While|Whereas|Even though)\b[^,]{8,}?,\s+(?=[a-z])")
COORDINATE = re.compile(r",\s+and\s+((?:it is|we|there is)\b)")
QUESTION = re.compile(r"^\s*(?:Whether|Why|How|What)\b")
REPORTED = re.compile(r"\b(?:insisted|said|stated|claimed|announced|declared|asserted|proclaimed|promised|"
                      r"reaffirmed|argued|suggests|suggested|shows|indicates)\s+(?:publicly\s+)?that\b[^;]*$",
                      re.IGNORECASE)


def units(text: str) -> list[tuple[int, int]]:
    """Spans that can each carry a judgment: sentences, split at semicolons
    and after an opening concessive clause ("Although X, we believe Y")."""
    return [(s, e) for s, e, _ in hedged_units(text)]


def hedged_units(text: str) -> list[tuple[int, int, list[Hedge]]]:
    """`units` with the hedges of each (found once: the split needs them, and so does the judgment)."""
    out: list[tuple[int, int]] = []
    for s, e in sentences(text):
        pos = s
        for m in CLAUSE_BREAK.finditer(text, s, e):
            out.append((pos, m.start() + 1))
            pos = m.end()
        out.append((pos, e))
    split: list[tuple[int, int, list[Hedge]]] = []
    for s, e in out:
        split.extend(_split_clauses(text, s, e))
    return split


def _split_clauses(text: str, s: int, e: int) -> list[tuple[int, int, list[Hedge]]]:
    """Split ``text[s:e]`` where two hedged clauses meet: after an opening
    concessive ("Although X will undoubtedly ..., we do not believe ..."),
    or at ", and it is probable that ..."."""
    unit = text[s:e]
    found = hedges(unit)
    if len(found) < 2:
        return [(s, e, found)]
    last = found[-1]
    if CONCESSIVE.match(unit) and found[0].end < last.start:
        cut = unit.rfind(", ", found[0].end, last.start)
        if cut > 0:
            return _parts(text, [(s, s + cut + 1), (s + cut + 2, e)])
    m = COORDINATE.search(unit, found[0].end)
    if m and m.start() < last.start:
        return _parts(text, [(s, s + m.start() + 1), (s + m.end() - len(m.group(1)), e)])
    return [(s, e, found)]


def _parts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, list[Hedge]]]:
    return [(s, e, hedges(text[s:e])) for s, e in spans]


_BE_BEFORE = re.compile(r"\b(?:is|are|was|be|seems?|appears?)\s+$")
_IS_BEFORE = re.compile(r"\b(?:is|are|it is|it was)\s+$")
_THAT_AFTER = re.compile(r"\s+that\b")


def _before(rx: re.Pattern[str], text: str, end: int, reach: int) -> bool:
    """Whether ``rx`` (a word of at most ``reach`` letters, then ``\\s+$``) matches ``text[:end]``,
    read from just before the white space that ends it (the regex still sees the letter before)."""
    j = end
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j < end and rx.search(text, max(0, j - reach), end) is not None


def hedges(sentence: str) -> list[Hedge]:
    """Estimative expressions in ``sentence``.

    Excluded: adjectives ("the possible effect", "certain organs"),
    "possible" other than predicatively, and "will" in reported speech
    ("has insisted that the Party will continue").  The words before a hedge
    are read back only as far as each rule needs (`_before`), never from the
    sentence's start, so a sentence costs its length however many hedges it holds.
    """
    rx, owner = _forms_pattern()
    out: list[Hedge] = []
    for m in rx.finditer(sentence):
        form = " ".join(m.group().lower().split())
        at = m.start()
        if form in ADJ_FORMS and _before(ADJECTIVAL, sentence, at, 5):
            continue
        if form == "certain" and not _before(_BE_BEFORE, sentence, at, 7):
            continue  # "certain economic organs": some, not sure
        if form == "possible" and not (_THAT_AFTER.match(sentence, m.end()) or _before(_IS_BEFORE, sentence, at, 6)
                                       or not sentence[:at].strip()):
            continue  # "than has been possible"
        # reported speech reaches back to its verb, with no semicolon between
        if owner[form] == "will" and REPORTED.search(sentence, sentence.rfind(";", 0, at) + 1, at):
            continue
        out.append(Hedge(owner[form], m.group(), at, m.end()))
    return out


def primary(found: list[Hedge], sentence: str) -> Hedge:
    """The governing expression: the strongest; among equals, one that opens a "that" clause."""

    def rank(h: Hedge) -> tuple[int, int, int]:
        r = PRIORITY.index(h.term) if h.term in PRIORITY else 99
        r = RANK_ALIAS.get(h.term, r)
        return (r, 0 if THAT.match(sentence[h.end :]) else 1, h.start)

    return min(found, key=rank)


THAT = re.compile(r"\s*,?\s*(?:(?:also|therefore|however|moreover|further|still|it|strongly),?\s+){0,2}that[\s,]+",
                  re.IGNORECASE)
SEEM = [
    (re.compile(r"\b(?:do|does|did)\s+not\s+(?:seem|appear)\s+to\s+be\b", re.I), "is not"),
    (re.compile(r"\b(?:seems|appears)\s+to\s+be\b", re.I), "is"),
    (re.compile(r"\b(?:seem|appear)\s+to\s+be\b", re.I), "are"),
    (re.compile(r"\b(?:seems|appears|seem|appear)\s+to\s+", re.I), ""),
    (re.compile(r"\b(?:appears|seems)\s+(?=willing|capable|unable|likely)", re.I), "is "),
    (re.compile(r"\b(?:is|are|was|were)\s+(?:un)?likely\s+to\s+", re.I), "will "),
    (re.compile(r"\b(?:is|are)\s+(?:almost\s+)?certain\s+to\s+", re.I), "will "),
]
PREDICATE = re.compile(r"\s+(?:is|are|was|were|be)\s+$", re.I)


def claim_of(sentence: str, hedge: Hedge, others: list[Hedge] | None = None) -> str:
    """The clause ``hedge`` governs, as a statement.  When an outer hedge
    opens a "that" clause holding it ("we estimate that X will probably Y"),
    the claim is that clause without the inner hedge."""
    for outer in others or []:
        m = THAT.match(sentence[outer.end :]) if outer.end <= hedge.start else None
        if m and outer is not hedge:
            start = outer.end + m.end()
            inner = Hedge(hedge.term, hedge.form, hedge.start - start, hedge.end - start)
            return claim_of(sentence[start:], inner)
    after = sentence[hedge.end :]
    m = THAT.match(after)
    if m and hedge.term not in ("may", "will"):
        return _tidy(after[m.end() :])
    if hedge.term in ("may", "will"):
        return _tidy(sentence)
    predicative = PREDICATE.search(sentence[: hedge.start]) or re.match(r"(?:it\s+)?(?:is|are)\s", hedge.form, re.I)
    if predicative and not re.match(r"\s+to\b", after):
        # "a significant weakening ... is unlikely during the period": the subject is the claim
        head = sentence[: hedge.start]
        cut = max((head.rfind(sep) + len(sep) for sep in (" that ", ", ", "; ") if sep in head), default=0)
        subject = PREDICATE.sub("", head[cut:])
        return _tidy(f"{subject} {after}")
    for rx, repl in SEEM:
        if rx.search(sentence):
            return _tidy(rx.sub(repl, sentence, count=1))
    return _tidy(sentence[: hedge.start] + sentence[hedge.end :])


def _tidy(text: str) -> str:
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",\s*,", ",", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ,").rstrip(".;:").strip()


IF_CLAUSE = re.compile(r"\bif\b[^,;]*[,;]", re.IGNORECASE)
NO_AFTER_BE = re.compile(rf"{first_letters(['no'])}(?:(?<=\bbe\s)|(?<=\bthere is\s)|(?<=\bthere are\s))no\b",
                         re.IGNORECASE)


def positive(claim: str) -> tuple[str, bool]:
    """``claim`` without its negation, and whether there was one (a negation
    inside an "if" clause is the condition's, not the claim's)."""
    shielded = [(m.start(), m.end()) for m in IF_CLAUSE.finditer(claim)]
    for rx in (NEGATION, NO_AFTER_BE):
        for m in rx.finditer(claim):
            if any(a <= m.start() < b for a, b in shielded):
                continue
            rest = claim[: m.start()] + claim[m.end() :]
            return re.sub(r"\s{2,}", " ", rest).strip(), True
    return claim, False


def horizon(sentence: str, period_end: str | None, period_phrase: str | None, doc_date: str | None) -> Horizon:
    ref = PERIOD_REF.search(sentence)
    if ref and period_end:
        return Horizon(period_end, "period", ref.group())
    m = OPEN_ENDED.search(sentence)
    if m:
        return Horizon(None, "open", m.group())
    if doc_date and len(doc_date) == 10:
        found = dates.period_end(sentence, date.fromisoformat(doc_date))
        if found:
            return Horizon(found[0], "explicit", found[3])
    if period_end:
        return Horizon(period_end, "period", period_phrase)
    return Horizon(None, "none", None)


def dissent_by_paragraph(doc: Document) -> dict[str, list[Dissent]]:
    out: dict[str, list[Dissent]] = {}
    for r in doc.metadata.get("reservations") or []:
        for p in field_part(r, "paragraphs", []):
            if p in field_part(r, "missing", []):
                continue
            entry = Dissent(field_part(r, "by"), field_part(r, "value"), field_part(r, "source"),
                            field_part(r, "block"))
            if entry not in out.setdefault(p, []):
                out[p].append(entry)
    return out


def judgments_in_block(doc: Document, block: Block, context: dict[str, Any]) -> list[Judgment]:
    out: list[Judgment] = []
    text = block.text
    for k, (s, e, found) in enumerate(hedged_units(text)):
        sent = text[s:e]
        if not found or QUESTION.match(sent):
            continue
        h = primary(found, sent)
        opening = CONCESSIVE.match(sent)
        if opening and h.end <= opening.end():  # the hedge scopes over the "Although ..." clause only
            claim = claim_of(sent[: opening.end()].rstrip(" ,"), h)
        else:
            claim = claim_of(sent, h, [x for x in found if x.term not in ("may", "will")])
        claim_pos, negated = positive(claim)
        negative_term = h.term in NEGATIVE_TERMS
        invert = negated
        probs: dict[str, tuple[float, float] | None] = {}
        reasons: dict[str, str] = {}
        for name, band, why in _bands(h.term, h.form):
            reasons[name] = why
            probs[name] = None if band is None else (
                (round(1 - band.high, 4), round(1 - band.low, 4)) if invert else (float(band.low), float(band.high)))
        src_s, src_e = block.view.span_to_source(s, e)
        hz = horizon(sent, context["period_end"], context["period_phrase"], context["date"])
        term = vocabulary()[h.term]
        out.append(Judgment(
            document=doc.id,
            id=f"{block.label}#{k + 1}",
            block=block.label,
            text=" ".join(sent.split()).rstrip(";"),
            claim=claim_pos,
            term=h.term,
            expression=" ".join(h.form.split()),
            other_expressions=tuple(" ".join(x.form.split()) for x in found if x is not h),
            polarity="negative" if negative_term != negated else "positive",
            negated_claim=negated,
            probability=probs,
            mapping=reasons,
            flat=term.flat,
            horizon=hz,
            dissent=() if block.kind == "footnote" else tuple(
                context["dissent"].get(block.label) or context["dissent"].get(block.label.split(".")[0]) or ()),
            by=context.get("by"),
            in_deleted_text=in_deleted_text(doc, src_s, src_e),
            start=src_s,
            end=src_e,
            in_block=(s, e),
            page=block.page,
        ))
    return out


@lru_cache(maxsize=4096)
def _bands(term: str, form: str) -> tuple[tuple[str, Band | None, str], ...]:
    """Each built-in scale's band for ``term`` written as ``form``, and why (a small closed
    vocabulary: worked out once per form, not once per judgment and scale)."""
    return tuple((name, *probability(term, form, load_scale(name))) for name in BUILTIN)


def judgments(doc: Document) -> Document:
    """The judgments stage."""
    md = doc.metadata
    period = md.get("period_end")
    base = {
        "period_end": field_value(md, "period_end"),
        "period_phrase": field_part(period, "phrase") if isinstance(period, MetadataField | dict) else None,
        "date": field_value(md, "date"),
        "dissent": dissent_by_paragraph(doc),
    }
    reservation_notes = {field_part(r, "block"): field_part(r, "by") for r in md.get("reservations") or []
                         if field_part(r, "source") == "footnote"}
    in_annex = _annex_labels(doc)
    found: list[Judgment] = []
    for b in doc.blocks:
        if b.label in in_annex:
            continue
        if b.kind in BODY_KINDS:
            found.extend(judgments_in_block(doc, b, base))
        elif b.kind == "footnote" and b.label in reservation_notes:
            found.extend(judgments_in_block(doc, b, {**base, "by": reservation_notes[b.label]}))
    return doc.evolve(judgments=tuple(link_restatements(found)), stages=(*doc.stages, "judgments"))


def _annex_labels(doc: Document) -> set[str]:
    """Blocks inside annexes (treaty texts are not estimates)."""

    return set(annex_map(doc))


def link_restatements(found: list[Judgment], threshold: float = 85.0) -> list[Judgment]:
    """Judgments restating one another within a document (Conclusions restate
    the Discussion): ``restates`` lists the other judgments' ids.  Only pairs
    the word index proposes are compared (`restatement_candidates`), so a long
    document costs about its number of judgments, not its square."""
    restates: list[list[str]] = [[] for _ in found]
    for i, k in restatement_candidates([(j.term, j.claim) for j in found], threshold):
        a, b = found[i], found[k]
        if a.block == b.block or len(a.claim) <= 30:
            continue
        if fuzz.token_set_ratio(a.claim, b.claim) >= threshold:
            restates[i].append(b.id)
            restates[k].append(a.id)
    return [replace(j, restates=tuple(r)) if r else j for j, r in zip(found, restates, strict=True)]


_WORD = re.compile(r"\w+")


def restatement_candidates(items: list[tuple[str, str]], threshold: float = 85.0) -> list[tuple[int, int]]:
    """Pairs ``i < k`` of ``(term, claim)`` with the same term whose claims may score
    ``threshold`` by `fuzz.token_set_ratio`, in order.

    That score needs the words two claims share to make up most of one of them
    (at 85, about three quarters of its letters: ``2s / (2s + 1 + rest) >= 0.85``),
    or their other words to be near copies.  So a candidate must share, by letters,
    at least ``share`` of the shorter claim's words (lower-cased, punctuation apart,
    with a margin for OCR variants): its first shared word, rarest first, lies in
    the prefix of the shorter claim that leaves less than that after it.  Each
    claim's prefix is looked up in an index of every claim's words.
    """
    t = threshold / 100
    share = t / (2 - t) - 0.25
    groups: dict[str, list[int]] = {}
    for i, (term, _) in enumerate(items):
        groups.setdefault(term, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in groups.values():
        if share <= 0:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
            continue
        words = {i: set(_WORD.findall(items[i][1].lower())) for i in members}
        freq: dict[str, int] = {}
        index: dict[str, list[int]] = {}
        for i in members:
            for w in words[i]:
                freq[w] = freq.get(w, 0) + 1
                index.setdefault(w, []).append(i)
        for i in members:
            ordered = sorted(words[i], key=lambda w: (freq[w], w))
            rest = total = sum(len(w) for w in ordered)
            for w in ordered:
                if rest < share * total:
                    break
                rest -= len(w)
                pairs.update((min(i, k), max(i, k)) for k in index[w] if k != i)
    return sorted(pairs)
