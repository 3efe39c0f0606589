"""The bundled data files, each parsed once per process for every stage that reads it."""

from __future__ import annotations

from declass import datafile
from declass.stages.entities import gazetteer
from declass.text import lexicon


def test_the_gazetteer_and_the_lexicon_share_one_reading_of_the_gazetteer_files() -> None:
    files = gazetteer.builtin_files()
    datafile.bundled_yaml.cache_clear()
    gazetteer._load.cache_clear()
    lexicon.names.cache_clear()
    gaz = gazetteer.load()
    names = lexicon.names()
    info = datafile.bundled_yaml.cache_info()
    assert files and info.misses == len(files) and info.hits == len(files)  # each file parsed once, read twice
    assert "Changchun" in names and any(e.name == "Changchun" for e in gaz.entities.values())
