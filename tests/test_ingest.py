from __future__ import annotations

import shutil
from pathlib import Path

import declass
from declass.archive.ingest import FileResult, discover


def corpus(tmp_path: Path, samples: Path, n: int = 4) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = (samples / "1953-11-04_nsc-briefing_sino-soviet-relations.txt").read_text("utf-8")
    for i in range(n):
        (folder / f"doc{i}.txt").write_text(f"Copy {i}\n\n{text}", "utf-8")
    return folder


def test_file_vanishing_mid_run_is_one_error(tmp_path: Path, samples: Path) -> None:
    folder = corpus(tmp_path, samples)
    seen: list[FileResult] = []

    def delete_a_later_file(res: FileResult) -> None:
        seen.append(res)
        if len(seen) == 1:
            (folder / "doc2.txt").unlink()

    with declass.Archive(tmp_path / "a.db") as a:
        report = a.ingest([folder], workers=1, on_result=delete_a_later_file)
        assert [r.status for r in report.results] == ["added", "added", "failed", "added"]
        assert "doc2.txt" in report.failed[0].error and "E105" in report.failed[0].error
        assert len(a.documents()) == 3


def test_oversized_file_refused_without_reading(tmp_path: Path, samples: Path) -> None:
    folder = corpus(tmp_path, samples, 1)
    with (folder / "huge.txt").open("wb") as fh:
        fh.truncate(200 * 2**20)  # 200 MB on disk, never read
    with declass.Archive(tmp_path / "a.db") as a:
        report = a.ingest([folder], workers=2)
    (bad,) = report.failed
    assert "huge.txt" in bad.error and "E103" in bad.error
    assert report.count("added") == 1


def test_globs_and_folders_expand_once(tmp_path: Path, samples: Path) -> None:
    folder = corpus(tmp_path, samples, 3)
    (folder / ".hidden.txt").write_text("hidden")
    (folder / "notes.json").write_text("{}")
    found = list(discover([str(folder / "*.txt"), folder, folder / "doc0.txt"]))
    assert sorted(p.name for p in found) == ["doc0.txt", "doc1.txt", "doc2.txt"]


def test_parallel_and_serial_ingest_store_the_same(tmp_path: Path, samples: Path) -> None:
    folder = tmp_path / "both"
    folder.mkdir()
    for p in samples.glob("*.txt"):
        shutil.copy(p, folder)
    results = []
    for workers in (1, 2):
        with declass.Archive(tmp_path / f"w{workers}.db") as a:
            a.ingest([folder], workers=workers)
            results.append([a.get(d.id) for d in a.documents()])
    assert results[0] == results[1]


def test_a_missing_path_is_no_such_file_and_the_rest_go_on(tmp_path: Path, samples: Path) -> None:
    with declass.Archive(tmp_path / "a.db") as a:
        report = a.ingest([samples, tmp_path / "nope.txt"], workers=2)
    assert report.count("added") == 2
    (bad,) = report.failed
    assert bad.error == f"{tmp_path / 'nope.txt'}: no such file or folder [E405]"


def test_a_worker_letting_go_of_lines_and_chunks_stores_the_same_record(samples: Path) -> None:
    """`parse_read` drops the fields of `RELEASED` after their last reader: no later stage, nor the
    record, may have needed them (a stage that starts reading them makes this fail)."""
    from declass.archive.export import to_record
    from declass.archive.ingest import RELEASED, parse_read
    from declass.stages.pipeline import run_stages, stages_for
    from declass.stages.read.reader import read_path

    devset = Path(__file__).parent.parent.parent / "shared" / "devset" / "crest"
    paths = [*sorted(samples.glob("*.txt")), *sorted(devset.glob("*/unredacted.transcription.txt"))[:3]]
    assert RELEASED and len(paths) >= 2
    for path in paths:
        released = parse_read(read_path(path), stages_for())
        assert released.lines == () and released.chunks == ()
        assert to_record(released) == to_record(run_stages(read_path(path), stages_for())), path


def test_the_parent_of_an_ingest_does_not_load_the_pipeline() -> None:
    """Ingest's parent hands out work and writes: the stages, their tables and the word list are
    its workers' (each module the parent imports is resident beside the workers' copies)."""
    import subprocess
    import sys

    probe = ("import sys, declass.archive.ingest, declass.archive.archive; "
             "print(sorted(m for m in sys.modules if m.startswith(('declass.stages.pipeline', "
             "'declass.stages.entities', 'declass.stages.clean', 'declass.text.lexicon', 'english_words'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
