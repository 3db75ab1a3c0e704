"""Formulas of derived indicators: arithmetic over other indicators' values.

A formula such as ``EXPORT_VALUE + IMPORT_VALUE`` or
``prev(POVERTY_RATE) - POVERTY_RATE`` is parsed once with :mod:`ast` and
evaluated on plain numbers; nothing in it is ever executed as Python.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from chitieu._errors import InputError

_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass(frozen=True, slots=True)
class Input:
    """A value a formula needs: an indicator, this period or the one before."""

    code: str
    previous: bool = False


class Formula:
    def __init__(self, text: str) -> None:
        self.text = text
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise InputError(f"công thức không hợp lệ: {text}") from exc
        self._body = tree.body
        self.inputs = frozenset(self._collect(self._body))

    def _collect(self, node: ast.expr) -> list[Input]:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return self._collect(node.left) + self._collect(node.right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self._collect(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return []
        if isinstance(node, ast.Name):
            return [Input(node.id)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "prev"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and not node.keywords
        ):
            return [Input(node.args[0].id, previous=True)]
        raise InputError(f"công thức không hợp lệ: {self.text}")

    def evaluate(self, values: Mapping[Input, float]) -> float | None:
        """The formula's value, or None when an input is missing or it divides by zero."""
        if any(needed not in values for needed in self.inputs):
            return None
        try:
            return self._eval(self._body, values)
        except ZeroDivisionError:
            return None

    def _eval(self, node: ast.expr, values: Mapping[Input, float]) -> float:
        if isinstance(node, ast.BinOp):
            op = _OPERATORS[type(node.op)]
            return op(self._eval(node.left, values), self._eval(node.right, values))
        if isinstance(node, ast.UnaryOp):
            return -self._eval(node.operand, values)
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[Input(node.id)]
        assert isinstance(node, ast.Call) and isinstance(node.args[0], ast.Name)
        return values[Input(node.args[0].id, previous=True)]


_PREVIOUS = re.compile(r"prev\(\s*([A-Z][A-Z0-9_]*)\s*\)")
_CODE = re.compile(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b")
_SIGNS = {"-": "−", "*": "×", "/": "÷"}


def formula_words(formula: str, names: Mapping[str, str], lang: str = "vi") -> str:
    """A formula as a reader says it: each indicator by its name, the year before in words.

    "prev(POVERTY_RATE) - POVERTY_RATE" reads "Tỷ lệ hộ nghèo (năm trước) − Tỷ lệ hộ nghèo";
    a code without a name is kept as it is.
    """
    before = "năm trước" if lang == "vi" else "the year before"
    # Signs first: a name may hold a "-" or a "/" of its own.
    said = re.sub(r"\s*([-*/])\s*", lambda m: f" {_SIGNS[m[1]]} ", formula)
    said = _PREVIOUS.sub(lambda m: f"{names.get(m[1], m[1])} ({before})", said)
    return _CODE.sub(lambda m: names.get(m[0], m[0]), said)
