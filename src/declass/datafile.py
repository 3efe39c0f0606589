"""Reading the YAML data files: with libyaml's C loader when PyYAML has it.

The gazetteer alone is ~1 MB of YAML; the pure-Python loader takes ~2 s to
read it, in every worker process, and the C loader about a tenth of that.
Both are safe loaders: no Python objects are built from tags.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The data in ``text`` (a YAML document), loaded safely."""
    return yaml.load(text, Loader=_LOADER)
