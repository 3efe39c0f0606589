"""Typed rows the store reads back: the model's records as stored, and what the
model has no type of its own for (links between judgments, stored pairs of releases).

A judgment, event, redaction or edit row is the model's record (`declass.model`:
a `Span` with its document, block label, offsets and page) read from the row's
JSON, plus what the row adds beside it: the document's date, a judgment's range
under the scale asked for, and — once the archive has cited it — the citation,
number and title of its document.  A mention row is a `Span` of its own: the
mentions table keeps what the questions about entities read, not the whole
export record.

Each row's export form (`Exported.to_dict`: the keys of the API's and the CLI's
JSON, in their order) is fixed by its ``KEYS``; `plain` turns any answer that
holds rows into JSON data.

Each question's row type is a module of its own, loaded when first named here (PEP 562):
a question about judgments makes the judgment's types, not those of every row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from declass.model.records import lazy_attribute, plain
from declass.store.rows.common import CITED, Cited, decoded

if TYPE_CHECKING:
    from declass.store.rows.edits import StoredEdit
    from declass.store.rows.events import StoredEvent
    from declass.store.rows.judgments import StoredJudgment
    from declass.store.rows.links import JudgmentClaim, Link
    from declass.store.rows.mentions import MentionInBlock, StoredMention
    from declass.store.rows.redactions import RedactionDocument, StoredRedaction
    from declass.store.rows.releases import StoredRelease
    from declass.store.rows.strips import JudgmentCell

_MODULES = {
    "StoredJudgment": "judgments", "StoredEvent": "events", "StoredRedaction": "redactions",
    "RedactionDocument": "redactions", "StoredEdit": "edits", "StoredMention": "mentions",
    "MentionInBlock": "mentions", "JudgmentCell": "strips", "JudgmentClaim": "links", "Link": "links",
    "StoredRelease": "releases",
}
"""Where each row type is defined."""


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), "declass.store.rows", _MODULES, name)


__all__ = ["CITED", "Cited", "JudgmentCell", "JudgmentClaim", "Link", "MentionInBlock", "RedactionDocument",
           "StoredEdit", "StoredEvent", "StoredJudgment", "StoredMention", "StoredRedaction", "StoredRelease",
           "decoded", "plain"]
