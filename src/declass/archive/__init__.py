"""The archive: ingest into a store and the questions asked of it."""
