"""The JSONL export is a contract: its existing keys and values never change.

``fixtures/export/samples.jsonl`` is the export of the bundled samples as
written before the model was typed (commit dc593df).  Keys may be added to the
export; every key that was there must serialise byte for byte as it did.
After a deliberate change to what a stage finds, regenerate the fixture
(``declass export`` of the samples, ``source.path`` cut to the file name) and
say so in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import declass
from declass.archive.export import dumps, to_record
from declass.samples import sample_paths

GOLDEN = Path(__file__).parent / "fixtures" / "export" / "samples.jsonl"


def _golden() -> dict[str, str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["id"]: line for line in lines}


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_export_of_samples_is_unchanged(path: Path) -> None:
    rec = to_record(declass.parse(path))
    rec["source"]["path"] = path.name
    golden = _golden()[rec["id"]]
    old = json.loads(golden)
    assert set(old) <= set(rec), f"keys removed from the export: {set(old) - set(rec)}"
    for key in old:  # key by key, so a failure names the part of the record that changed
        assert dumps(rec[key]) == dumps(old[key]), f"export key {key!r} changed"
    assert dumps({k: rec[k] for k in old}) == golden


@pytest.mark.parametrize("key", ["entities", "judgments", "events", "redactions", "edits"])
def test_export_round_trips_through_typed_records(nie58: declass.Document, briefing: declass.Document,
                                                  key: str) -> None:
    """Reading the export back into typed records and writing it again changes nothing."""
    from declass.model import Edit, Event, Judgment, Mention, Redaction

    cls = {"entities": Mention, "judgments": Judgment, "events": Event, "redactions": Redaction, "edits": Edit}[key]
    items = to_record(nie58)[key] + to_record(briefing)[key]
    assert items
    again = [cls.from_dict(d).to_dict() for d in items]
    assert dumps(again) == dumps(items)
