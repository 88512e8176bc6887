"""The numbers guard: every number written in the narrative must be one the analysis computed.

A number written with d decimals matches a computed value v when |round(|v|, d) - |x|| is within
half a unit of its last digit (signs are free: "fell 3.2 %" quotes a change of -3.2). Thousands
separators are understood; digits inside words (e.g. "DE_LU", "W03") are not numbers.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(?<![\w.])[-+\u2212]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")


def numbers_in(text: str) -> list[tuple[str, float, int]]:
    """(as written, absolute value, decimals) of each number in `text`."""
    out = []
    for m in _NUMBER.finditer(text):
        whole, frac = m.group(1).replace(",", ""), m.group(2) or ""
        out.append((m.group(0), abs(float(whole + frac)), max(0, len(frac) - 1)))
    return out


def matches(value: float, decimals: int, allowed: list[float]) -> bool:
    tol = 0.5 * 10.0**-decimals + 1e-9
    return any(abs(abs(a) - value) <= tol for a in allowed)


def violations(texts: list[str], allowed: list[float]) -> list[str]:
    """Numbers in `texts` that match no allowed value, as written, in order of appearance."""
    bad = []
    for text in texts:
        for written, value, decimals in numbers_in(text):
            if not matches(value, decimals, allowed):
                bad.append(written)
    return bad
