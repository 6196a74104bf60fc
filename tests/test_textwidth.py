"""Terminal tables line up when cells quote Chinese (two columns per character)."""

from __future__ import annotations

import unicodedata

from sim.experiments.calibration import FIGURES, Row, format_rows, verdict
from sim.textwidth import cut, ljust, width


def test_widths_by_hand():
    assert width("abc") == 3
    assert width("六成多") == 6  # CJK ideographs are wide
    assert width("“近八成”") == 2 + 6  # the curly quotes are narrow (ambiguous width)
    assert width("e\u0301") == 1  # a combining accent takes no column
    assert cut("六成多", 5) == "六成" and width(ljust("六成多", 5)) == 5
    assert ljust("ab", 4) == "ab  "


def test_calibrate_table_columns_line_up_with_chinese_quotes():
    rows = [Row(f.key, f.figure, f.reported, f.low, f.high, f.tolerance, f.target, f.note,
                *([f.low] * 3)) for f in FIGURES]
    assert any(unicodedata.east_asian_width(ch) == "W" for r in rows for ch in r.reported)
    lines = format_rows(rows, 3).splitlines()
    starts = set()
    for r, line in zip(rows, lines[1:], strict=False):
        v = verdict(r)
        assert line.endswith(v)
        starts.add(width(line[: len(line) - len(v)]))
    head = lines[0]
    starts.add(width(head[: head.index("verdict")]))
    assert len(starts) == 1, starts
