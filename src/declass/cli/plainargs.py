"""Plain option values read without Pydantic.

Typer (0.2x) coerces every parameter through a Pydantic ``TypeAdapter``, and
importing Pydantic costs more CPU than a store question does (some 60-90 ms of
a ``declass judgments --json`` call on this machine).  What a command line
carries is almost always plain: text, or a whole or decimal number within its
bounds.  Those are read here exactly as the adapter reads them; anything else
(a choice, a path, a list, a value out of bounds or not a number) goes to
Typer's own coercion, so its checks and its error messages stay Typer's.

`install` is called once by `declass.cli.app`; if Typer's internals change
shape it does nothing, and every value takes Typer's path as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits: Python's int() also reads other scripts' digits, Pydantic not
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def plain_value(annotation: Any, value: Any, *, low: float | None = None,
                high: float | None = None) -> tuple[bool, Any]:
    """``(True, the value)`` for a plain value of a ``str``, ``int`` or ``float`` parameter
    within ``[low, high]`` (or a flag already read as a ``bool``); ``(False, None)`` for
    anything Typer should read itself."""
    if annotation is str and isinstance(value, str):
        return True, value
    if annotation is bool:
        return (True, value) if isinstance(value, bool) else (False, None)
    if annotation not in (int, float):
        return False, None
    if isinstance(value, str):
        if annotation is int and WHOLE.fullmatch(value):
            number: int | float = int(value)
        elif annotation is float and (WHOLE.fullmatch(value) or DECIMAL.fullmatch(value)):
            number = float(value)
        else:
            return False, None
    elif type(value) is annotation:  # a default (bool, an int subclass, is not a plain int)
        number = value
    else:
        return False, None
    if (low is not None and number < low) or (high is not None and number > high):
        return False, None
    return True, number


def install() -> bool:
    """Read plain values first in every Typer parameter; False when Typer's shape is not the expected one."""
    try:
        from typer import _coercion, core
    except ImportError:
        return False
    base = getattr(_coercion, "RuntimeParam", None)
    build: Callable[[Any], Any] | None = getattr(_coercion, "build_runtime_param", None)
    param_class = getattr(core, "_TyperParameter", None)
    if base is None or build is None or param_class is None or not hasattr(param_class, "get_runtime_param"):
        return False
    adapter_of: Callable[[Any], Any] = build

    class PlainFirst(base):  # type: ignore[misc, valid-type]
        """Plain values here; the rest through the adapter Typer would have built (built then)."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            simple = (getattr(info, "parser", None) is None and not getattr(info, "clamp", False)
                      and not getattr(param, "multiple", False) and getattr(param, "nargs", 1) == 1)
            if simple:
                ok, parsed = plain_value(self.annotation, value, low=getattr(info, "min", None),
                                         high=getattr(info, "max", None))
                if ok:
                    return parsed
            return adapter_of(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            desc = self.type_descriptor
            if desc.annotation in (str, int, float, bool) and desc.file_annotation is None:
                self._runtime_param = PlainFirst(parameter_info=desc.parameter_info, annotation=desc.annotation)
            else:
                self._runtime_param = adapter_of(desc)
        return self._runtime_param

    param_class.get_runtime_param = get_runtime_param
    return True
