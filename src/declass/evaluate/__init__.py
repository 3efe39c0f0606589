"""Measuring declass against gold: clean text and scans rendered from it (issue 13)."""
