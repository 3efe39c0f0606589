"""One loader of data/doc_types.yaml, one form of the types' printed names, for structure and metadata."""

from __future__ import annotations

import pytest

import declass
from declass.model import BlockKind
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


def test_a_printed_name_is_lower_case_letters_and_single_spaces() -> None:
    assert letters("  Memorandum  of a\tConversation-1 ") == "memorandum of a conversation"


def _damaged(name: str) -> str:
    """``name`` with the middle letter of its longest word misread."""
    word = max(name.split(), key=len)
    at = len(word) // 2
    return name.replace(word, word[:at] + ("x" if word[at] != "x" else "z") + word[at + 1 :], 1)


@pytest.mark.parametrize("name", [n for t in doc_types() if not t.get("serial")
                                  for n in (t["name"], *t.get("aliases", []))])
def test_a_damaged_heading_is_read_alike_by_structure_and_metadata(name: str) -> None:
    """A FRUS heading whose kind's name OCR damaged: structure reads it as the heading exactly when
    metadata reads the type from it, and the type is the one the name prints; a name of eight letters
    or more survives one wrong letter."""
    doc = declass.parse(f"158. {_damaged(name)}\n\nWashington, June 20, 1961.\n\n"
                        "The President said that he was glad to see the Prime Minister here today.\n")
    heading = doc.blocks[0].kind == BlockKind.HEADING and doc.blocks[0].number == "158"
    read = doc.metadata.get("doc_type")
    assert heading == (read is not None and read.value == printed_names()[letters(name)]["name"])
    assert heading or len(letters(name)) < 8
