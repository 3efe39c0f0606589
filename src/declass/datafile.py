"""Reading the YAML data files: with libyaml's C loader when PyYAML has it.

The gazetteer alone is ~1 MB of YAML; the pure-Python loader takes ~2 s to
read it, in every worker process, and the C loader about a tenth of that.
Both are safe loaders: no Python objects are built from tags.  PyYAML loads
on the first file read, not when a module that reads one is imported.
"""

from __future__ import annotations

from typing import Any


def load_yaml(text: str) -> Any:
    """The data in ``text`` (a YAML document), loaded safely."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
