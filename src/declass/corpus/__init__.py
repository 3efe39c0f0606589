"""Corpus-level work above the per-document stages: links, scores, release comparison, citations."""
