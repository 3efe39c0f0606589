"""Decode a text file's bytes without quietly changing its text.

* Valid UTF-8 is UTF-8 (a legacy single-byte file is almost never valid
  UTF-8 by accident); a byte-order mark is obeyed; UTF-16 without one is
  recognised by its NUL bytes falling on every other byte.
* A file that mixes UTF-8 lines with lines in a legacy encoding (text pasted
  together from two sources) is decoded line by line: UTF-8 where a line is
  UTF-8, the legacy encoding detected from the other lines elsewhere.
* A legacy encoding is a statistical guess (charset_normalizer).  Single-byte
  Western and Central European code pages often decode the same bytes with
  the same "chaos" score (é-è-à read as é-č-ŕ); ties go to `PREFERENCE`, and
  every guess is recorded as a warning with its confidence and the
  alternatives that would have read the text differently.
* NUL characters are refused or removed by one rule wherever they appear.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from declass.errors import InputError

PREFERENCE = ("utf_8", "cp1252", "latin_1", "iso8859_15", "mac_roman")
"""Encodings preferred when detection cannot tell candidates apart: Western
code pages first, since these archives are English-language documents whose
non-ASCII letters are mostly French, Spanish and German names.  The WHATWG
Encoding Standard likewise reads a file labelled ISO-8859-1 as windows-1252
(https://encoding.spec.whatwg.org/#names-and-labels)."""

CANDIDATES = ("cp1252", "latin_1", "iso8859_15", "mac_roman", "cp437", "cp850", "cp1250", "iso8859_2",
              "cp1251", "koi8_r", "iso8859_5", "cp1253", "iso8859_7", "cp1254", "iso8859_9", "shift_jis",
              "euc_jp", "gb18030", "big5", "euc_kr")
"""The legacy encodings a file is tested against: the Windows, ISO, Mac and DOS
code pages of Western and Eastern Europe, Greek, Turkish and Cyrillic, and the
common East Asian encodings.  Rarer code pages (Baltic, Nordic, Mac Central
European, HP Roman-8, Thai) are left out: on a short sample they often score
best by accident (French é-è read as Mac Latin-2 ť-Ť) and are rarely what a
document was saved in; when none of these fits, every encoding is tried."""

NUL_SHARE = 0.001  # more NULs than this (per character) and the file is binary
CONTROL_SHARE = 0.01  # likewise for other control characters
_BOMS = ((codecs.BOM_UTF32_LE, "utf_32_le"), (codecs.BOM_UTF32_BE, "utf_32_be"), (codecs.BOM_UTF8, "utf_8"),
         (codecs.BOM_UTF16_LE, "utf_16_le"), (codecs.BOM_UTF16_BE, "utf_16_be"))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode(data: bytes, name: str) -> Decoded:
    """The text of ``data``; `InputError` E102 if it is binary rather than text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _finish(data[len(bom):].decode(enc), enc, (), name)
            except UnicodeDecodeError:
                break
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _finish(data.decode(utf16), utf16, (f"encoding recognised as {utf16} without a byte-order mark",),
                       name)
    try:
        return _finish(data.decode("utf-8"), "utf-8", (), name)
    except UnicodeDecodeError:
        pass
    if b"\x00" in data and data.count(b"\x00") > NUL_SHARE * len(data):
        raise InputError("E102", "it contains NUL bytes", path=name)
    lines = data.splitlines(keepends=True)
    utf8 = [_utf8_non_ascii(line) for line in lines]
    if any(u is True for u in utf8):
        legacy_lines = b"".join(line for line, u in zip(lines, utf8, strict=True) if u is None)
        enc, note = guess(legacy_lines, name)
        text = "".join(line.decode("utf-8") if u is not None else line.decode(enc, errors="replace")
                       for line, u in zip(lines, utf8, strict=True))
        n_legacy = sum(1 for u in utf8 if u is None)
        n_utf8 = sum(1 for u in utf8 if u is True)
        warning = (f"mixed encodings: {n_utf8} lines in UTF-8, {n_legacy} decoded line by line as {enc}"
                   f" ({note})")
        return _finish(text, f"utf_8+{enc}", (warning,), name)
    enc, note = guess(data, name)
    return _finish(data.decode(enc, errors="replace"), enc, (f"encoding guessed as {enc} ({note})",), name)


def guess(data: bytes, name: str) -> tuple[str, str]:
    """The most likely legacy encoding of ``data`` and a note on how sure that is."""
    matches = list(from_bytes(data, cp_isolation=list(CANDIDATES))) or list(from_bytes(data))
    if not matches:
        raise InputError("E102", "no text encoding fits it", path=name)

    def rank(m: object) -> tuple[float, float, int]:
        enc = m.encoding  # type: ignore[attr-defined]
        pref = PREFERENCE.index(enc) if enc in PREFERENCE else len(PREFERENCE)
        return round(m.chaos, 2), pref, -round(m.coherence, 2)  # type: ignore[attr-defined]

    matches.sort(key=rank)
    best = matches[0]
    text = str(best)
    others = []
    for m in matches[1:]:
        if rank(m)[0] == rank(best)[0] and str(m) != text and m.encoding not in others:
            others.append(m.encoding)
    same = [e for e in (best.encoding, *best.could_be_from_charset) if e in PREFERENCE]
    encoding = min(same, key=PREFERENCE.index) if same else best.encoding  # the same text, a commoner name
    note = f"confidence {1 - best.chaos:.2f}"
    if best.language and best.language != "Unknown":
        note += f", {best.language}"
    if others:
        note += "; as likely: " + ", ".join(others[:4])
    return encoding, note


def _utf8_non_ascii(line: bytes) -> bool | None:
    """True: UTF-8 with non-ASCII characters; False: plain ASCII; None: not UTF-8."""
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return True


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf_16_le`` or ``utf_16_be`` when NULs fill one byte of most pairs (Latin text)."""
    sample = data[:8192]
    if len(sample) < 8 or len(data) % 2:
        return None
    pairs = len(sample) // 2
    even = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    for nuls, other, enc in ((odd, even, "utf_16_le"), (even, odd, "utf_16_be")):
        if nuls >= 0.7 * pairs and other <= 0.02 * pairs:
            try:
                data.decode(enc)
            except UnicodeDecodeError:
                return None
            return enc
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
"""Control characters other than tab, line feed, vertical tab, form feed and carriage return."""


def _finish(text: str, encoding: str, warnings: tuple[str, ...], name: str) -> Decoded:
    """Apply the NUL and control-character rules to decoded text."""
    nuls = text.count("\x00")
    if nuls:
        if nuls > NUL_SHARE * len(text):
            raise InputError("E102", "it contains NUL bytes", path=name)
        text = text.replace("\x00", "")
        warnings = (*warnings, f"{nuls} NUL character{'s' if nuls != 1 else ''} removed")
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > CONTROL_SHARE * len(sample):
        raise InputError("E102", "too many control characters", path=name)
    return Decoded(text, encoding, warnings)
