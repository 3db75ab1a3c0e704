from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chitieu import InputError, PeriodKind, parse_period, read_period


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2023", PeriodKind.YEAR, date(2023, 1, 1), date(2023, 12, 31)),
        ("2023-H1", PeriodKind.HALF, date(2023, 1, 1), date(2023, 6, 30)),
        ("2023-H2", PeriodKind.HALF, date(2023, 7, 1), date(2023, 12, 31)),
        ("2025-Q1", PeriodKind.QUARTER, date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-M02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2024-9M", PeriodKind.MONTHS_TO_DATE, date(2024, 1, 1), date(2024, 9, 30)),
        ("2021/2025", PeriodKind.MULTI_YEAR, date(2021, 1, 1), date(2025, 12, 31)),
        ("2023-06-30", PeriodKind.POINT, date(2023, 6, 30), date(2023, 6, 30)),
    ],
)
def test_codes_mean_what_the_contract_says(code, kind, start, end):
    period = parse_period(code)
    assert (period.kind, period.start, period.end, period.code) == (kind, start, end, code)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("năm 2023", "2023"),
        ("6 tháng đầu năm 2023", "2023-H1"),
        ("9 tháng năm 2024", "2024-9M"),
        ("11 tháng 2023", "2023-11M"),
        ("Quý I/2025", "2025-Q1"),
        ("quy iv nam 2024", "2024-Q4"),
        ("tháng 5/2023", "2023-M05"),
        ("giai đoạn 2021-2025", "2021/2025"),
        ("tính đến 30/6/2023", "2023-06-30"),
        ("12 tháng năm 2023", "2023"),
    ],
)
def test_vietnamese_forms_are_read(written, code):
    assert read_period(written).code == code


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "23",
        "2023-H3",
        "2023-Q5",
        "2025/2021",
        "2023-M13",
        "2023-02-30",
        "năm ngoái",
        "2023-12M",
    ],
)
def test_bad_periods_are_refused_with_the_text(bad):
    with pytest.raises(InputError, match="kỳ"):
        read_period(bad)


def test_the_first_six_months_are_the_first_half():
    assert parse_period("2023-6M").code == "2023-H1"


def test_labels_are_vietnamese_first():
    assert parse_period("2025-Q1").label() == "quý I/2025"
    assert parse_period("2023-06-30").label() == "đến 30/06/2023"
    assert parse_period("2024-9M").label("en") == "first 9 months of 2024"


codes = st.one_of(
    st.integers(1990, 2100).map(str),
    st.tuples(st.integers(1990, 2100), st.sampled_from("12")).map(lambda t: f"{t[0]}-H{t[1]}"),
    st.tuples(st.integers(1990, 2100), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(1990, 2100), st.integers(1, 12)).map(lambda t: f"{t[0]}-M{t[1]:02}"),
    st.tuples(st.integers(1990, 2100), st.integers(1, 11).filter(lambda m: m != 6)).map(
        lambda t: f"{t[0]}-{t[1]}M"
    ),
    st.tuples(st.integers(1990, 2099), st.integers(1, 10)).map(lambda t: f"{t[0]}/{t[0] + t[1]}"),
    st.dates(date(1990, 1, 1), date(2100, 12, 31)).map(date.isoformat),
)


@given(codes)
def test_every_code_round_trips_through_its_labels(code):
    period = parse_period(code)
    assert period.code == code
    assert period.start <= period.end
    assert read_period(period.label("vi")).code == code
