"""Terminal column widths of text: CJK characters take two columns, combining marks none.

Python's ``f"{s:<20}"`` pads by characters, so a Chinese quotation from the source report
("六成多", "近八成") pushes every later column of a table out of line. These helpers pad and cut
by display columns (Unicode East Asian Width: wide and full-width characters count two).
"""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    """Columns one character takes in a terminal: 0, 1 or 2."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns a string takes in a terminal."""
    return sum(char_width(ch) for ch in text)


def cut(text: str, cols: int) -> str:
    """The longest start of ``text`` that fits in ``cols`` columns."""
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > cols:
            break
        out.append(ch)
        used += w
    return "".join(out)


def ljust(text: str, cols: int) -> str:
    """``text`` cut to ``cols`` columns and padded with spaces to exactly ``cols`` columns."""
    t = cut(text, cols)
    return t + " " * (cols - width(t))
