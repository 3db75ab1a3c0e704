"""JSON output is written a thousand records at a time, byte for byte what
``json.dump(records, ensure_ascii=False, indent=2, default=str)`` writes."""

import json
import math
from datetime import date

import pytest

from chitieu._output import json_pieces


def _record(number: int) -> dict[str, object]:
    return {
        "plan": f"kh-{number}",
        "label": 'Tốc độ "tăng trưởng"\n\tGRDP \\ đạt ≥ 8%',
        "min": number / 7,
        "max": None,
        "final": number % 2 == 0,
        "nan": math.nan,
        "day": date(2026, 12, 31),
        "nested": {"years": [2024, 2025], "empty": {}},
    }


@pytest.mark.parametrize("count", [0, 1, 2, 999, 1000, 1001, 2500])
def test_pieces_join_into_what_json_dump_writes(count):
    records = [_record(number) for number in range(count)]
    expected = json.dumps(records, ensure_ascii=False, indent=2, default=str)
    pieces = list(json_pieces(records))
    assert "".join(pieces) == expected
    assert len(pieces) <= 3 + count // 1000  # a piece per thousand records, not per value


def test_empty_records_inside_a_listing():
    records = [{}, {"a": 1}, {}]
    assert "".join(json_pieces(records)) == json.dumps(records, ensure_ascii=False, indent=2)
