"""One loader of data/doc_types.yaml, one form of the types' printed names, for structure and metadata."""

from __future__ import annotations

from declass.stages import metadata
from declass.stages.doc_types import doc_types, letters, printed_names
from declass.stages.structure.markers import heading_vocabulary


def test_structure_and_metadata_compare_the_same_names() -> None:
    """Every type's name a FRUS heading may open with (a serial's aside) is in the heading readers'
    vocabulary in the one normal form, and metadata's patterns are the same loaded types."""
    vocabulary = set(heading_vocabulary())
    for t in doc_types():
        for n in (t["name"], *t.get("aliases", [])):
            assert printed_names()[letters(n)] is not None
            assert t.get("serial") or letters(n) in vocabulary
    assert metadata.doc_types() is doc_types()


def test_a_printed_name_is_lower_case_letters_and_single_spaces() -> None:
    assert letters("  Memorandum  of a\tConversation-1 ") == "memorandum of a conversation"
