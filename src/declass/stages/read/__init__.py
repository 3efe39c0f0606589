"""read: text, PDF text layers, OCR of scans, FRUS TEI -- pages and a map back to the source."""
