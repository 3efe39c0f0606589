"""clean: page furniture apart from the body, broken lines joined, OCR confusions repaired."""
