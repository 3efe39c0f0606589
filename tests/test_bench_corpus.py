"""The benchmark corpus generator: every layout it writes parses as its kind."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import declass

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import generate


def test_generated_layouts_parse_as_their_kind(tmp_path: Path) -> None:
    docs, pages = generate(tmp_path / "a", 400, seed=7)
    again = generate(tmp_path / "b", 400, seed=7)
    assert (docs, pages) == again and pages >= 400
    assert all((tmp_path / "a" / f.name).read_bytes() == f.read_bytes() for f in (tmp_path / "b").iterdir())
    seen: Counter[str] = Counter()
    for f in sorted((tmp_path / "a").glob("*.txt")):
        layout = f.stem.rsplit("-", 1)[1]
        seen[layout] += 1
        doc = declass.parse(f)
        kinds = {b.kind for b in doc.blocks}
        assert "paragraph" in kinds or "point" in kinds or "section" in kinds, (f.name, kinds)
        text = f.read_text()
        if layout == "memo":
            assert doc.metadata["doc_type"].value == "Memorandum", f.name
            assert {"header.subject", "header.date"} <= {b.label for b in doc.blocks}, f.name
        if layout == "frus":
            assert "footnote" in kinds, f.name
            assert len(doc.redactions) >= text.count("not declassified]"), f.name
        named = {"bulletin": "Current Intelligence Bulletin", "memcon": "Memorandum of Conversation",
                 "telegram": "Telegram", "minutes": "Minutes"}
        if layout in named:
            assert doc.metadata["doc_type"].value == named[layout], f.name
        if layout == "bulletin":
            assert any(b.kind == "heading" and b.label.startswith("PART ") for b in doc.blocks), f.name
        if layout == "telegram":
            assert {"header.from", "header.to"} <= {b.label for b in doc.blocks}, f.name
        if "25X1" in text:
            assert any("25X1" in (r.marker or "") for r in doc.redactions), f.name
    assert set(seen) == {"estimate", "memo", "frus", "briefing", "bulletin", "memcon", "telegram", "minutes"}
