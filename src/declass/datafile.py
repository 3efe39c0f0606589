"""Reading the YAML data files: with libyaml's C loader when PyYAML has it.

The gazetteer alone is ~1 MB of YAML; the pure-Python loader takes ~2 s to
read it, in every worker process, and the C loader about a tenth of that.
Both are safe loaders: no Python objects are built from tags.  PyYAML loads
on the first file read, not when a module that reads one is imported.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def bundled_yaml(path: str) -> Any:
    """The data of a YAML file bundled under ``declass/data`` (``"gazetteer/places.yaml"``), loaded
    once per process for every stage that reads it (the gazetteer's files: the gazetteer's matcher
    and the lexicon's list of names).  Shared: callers read it, never change it."""
    from importlib import resources

    return load_yaml(resources.files("declass.data").joinpath(path).read_text("utf-8"))


def load_yaml(text: str) -> Any:
    """The data in ``text`` (a YAML document), loaded safely."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
