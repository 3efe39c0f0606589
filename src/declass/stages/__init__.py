"""The per-document pipeline: one module (or small package) per stage, the runner beside them."""
