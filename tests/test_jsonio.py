from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import declass
from declass.model import jsonio
from declass.samples import sample_paths

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                            max_size=4), max_leaves=20)


def standard(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@given(VALUES)
def test_reads_back_as_the_standard_encoder_writes(value: Any) -> None:
    assert json.loads(jsonio.dumps(value)) == json.loads(standard(value))
    assert jsonio.dumpb(value) == jsonio.dumps(value).encode("utf-8")


@pytest.mark.parametrize("value", [{None: 1}, {True: 2, "a": [1, {False: None}]}, {1: "x"}, {2.5: "y"}])
def test_keys_msgspec_refuses_go_through_the_standard_encoder(value: Any) -> None:
    assert json.loads(jsonio.dumps(value)) == json.loads(standard(value))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_a_float_json_cannot_hold_becomes_null(value: Any) -> None:
    """NaN and infinities are not JSON (PostgreSQL's jsonb refuses them): written as null."""
    out = json.loads(jsonio.dumps(value))
    assert out is None or out == [1.0, None]
    assert not math.isnan(out[0] if isinstance(out, list) else 0.0)


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_a_documents_record_is_the_standard_encoders_text(path: Any) -> None:
    """On the samples' records (no floats outside 0.0001-1e15) the bytes themselves are the same."""
    record = declass.to_record(declass.parse(path))
    assert jsonio.dumps(record) == standard(record)
