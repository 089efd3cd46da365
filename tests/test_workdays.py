"""The Vietnamese working-day calendar, checked against real years (2024–2026)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.dates.workdays import WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(years_hint=[2024, 2025, 2026])


def test_weekdays_work_weekends_do_not(cal):
    assert cal.is_working_day(date(2025, 11, 17))  # Monday
    assert cal.is_working_day(date(2025, 11, 21))  # Friday
    assert not cal.is_working_day(date(2025, 11, 22))  # Saturday
    assert not cal.is_working_day(date(2025, 11, 23))  # Sunday


@pytest.mark.parametrize("first, last", [
    (date(2024, 2, 8), date(2024, 2, 14)),   # Tết Giáp Thìn: 29 Tết .. Mùng 5
    (date(2025, 1, 27), date(2025, 2, 1)),   # Tết Ất Tỵ
    (date(2026, 2, 16), date(2026, 2, 20)),  # Tết Bính Ngọ
])
def test_tet_is_off(cal, first, last):
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        day += timedelta(days=1)
    assert cal.is_working_day(cal.next_working_day(last + timedelta(days=1)))


def test_tet_boundaries(cal):
    assert cal.is_working_day(date(2024, 2, 7))
    assert cal.is_working_day(date(2024, 2, 15))
    assert cal.next_working_day(date(2025, 1, 27)) == date(2025, 2, 3)
    assert cal.previous_working_day(date(2025, 2, 2)) == date(2025, 1, 24)
    assert cal.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)


@pytest.mark.parametrize("day", [
    date(2024, 4, 18),  # Giỗ Tổ Hùng Vương
    date(2025, 4, 7),
    date(2026, 4, 27),  # Giỗ Tổ falls on Sunday 26/4/2026: observed Monday
    date(2024, 4, 30), date(2024, 5, 1),
    date(2025, 4, 30), date(2025, 5, 1),
    date(2024, 9, 2), date(2024, 9, 3),  # Quốc khánh and the day beside it
    date(2025, 9, 1), date(2025, 9, 2),
    date(2025, 1, 1), date(2026, 1, 1),
])
def test_public_holidays_are_off(cal, day):
    assert day.weekday() < 5
    assert not cal.is_working_day(day)


def test_swapped_days_off_and_worked_saturdays(cal):
    # 2024: Monday 29/4 off, worked on Saturday 4/5.
    assert not cal.is_working_day(date(2024, 4, 29))
    assert cal.is_working_day(date(2024, 5, 4))
    # 2025: Friday 2/5 off, worked on Saturday 26/4.
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 26))
    # An ordinary Saturday stays off.
    assert not cal.is_working_day(date(2025, 4, 19))


def test_extra_days_off_and_extra_workdays():
    local = WorkCalendar(extra_days_off={date(2025, 11, 20)}, extra_workdays={date(2025, 11, 22)})
    assert not local.is_working_day(date(2025, 11, 20))
    assert local.is_working_day(date(2025, 11, 22))
    # An extra workday overrides even a public holiday.
    override = WorkCalendar(extra_workdays={date(2025, 9, 2)})
    assert override.is_working_day(date(2025, 9, 2))
    # A local day off can cancel a swapped Saturday.
    cancelled = WorkCalendar(extra_days_off={date(2024, 5, 4)})
    assert not cancelled.is_working_day(date(2024, 5, 4))


def test_previous_and_next_working_day(cal):
    friday, saturday, monday = date(2025, 11, 21), date(2025, 11, 22), date(2025, 11, 24)
    assert cal.previous_working_day(friday) == friday
    assert cal.previous_working_day(saturday) == friday
    assert cal.next_working_day(saturday) == monday
    assert cal.next_working_day(monday) == monday


def test_add_working_days(cal):
    friday = date(2025, 11, 21)
    assert cal.add_working_days(friday, 0) == friday
    assert cal.add_working_days(friday, 1) == date(2025, 11, 24)
    assert cal.add_working_days(friday, 5) == date(2025, 11, 28)
    assert cal.add_working_days(date(2025, 11, 24), -1) == friday
    assert cal.add_working_days(date(2025, 11, 22), 1) == date(2025, 11, 24)  # from a Saturday
    # Across the 30/4–1/5 holidays of 2024, with the worked Saturday 4/5.
    assert cal.add_working_days(date(2024, 4, 26), 2) == date(2024, 5, 3)
    assert cal.add_working_days(date(2024, 4, 26), 3) == date(2024, 5, 4)
    # Across Tết 2025.
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)


def test_working_days_between_matches_counting(cal):
    assert cal.working_days_between(date(2025, 11, 21), date(2025, 11, 24)) == 1
    assert cal.working_days_between(date(2025, 11, 24), date(2025, 11, 21)) == -1
    assert cal.working_days_between(date(2025, 11, 22), date(2025, 11, 21)) == -1
    assert cal.working_days_between(date(2025, 11, 21), date(2025, 11, 21)) == 0
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    rng = random.Random(7)
    for _ in range(300):
        a = date(2023, 6, 1) + timedelta(days=rng.randint(0, 1000))
        b = a + timedelta(days=rng.randint(0, 500))
        counted = sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
        assert cal.working_days_between(a, b) == counted, (a, b)
        backwards = sum(cal.is_working_day(b - timedelta(days=i)) for i in range(1, (b - a).days + 1))
        assert cal.working_days_between(b, a) == -backwards, (b, a)
        n = rng.randint(-40, 40)
        assert cal.working_days_between(a, cal.add_working_days(a, n)) == n


def test_days_off_lists_names(cal):
    names = cal.days_off(2025)
    assert date(2025, 1, 29) in names
    assert all(isinstance(name, str) and name for name in names.values())
