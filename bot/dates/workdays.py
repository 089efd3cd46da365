"""Vietnamese working days: Monday to Friday, minus public holidays, plus official swapped Saturdays.

Public holidays come from the `holidays` package (Vietnam): New Year, Tết (29 Tết to Mùng 4/5,
with its observed days), Hùng Kings, 30/4, 1/5, 2/9 and the day beside it, Vietnam Cultural Day
(24/11 from 2026), days off in lieu, and the Government's swapped days off. When the Government
swaps a day off against a Saturday (e.g. Mon 29/4/2024 off, Sat 4/5/2024 worked), that Saturday
is a working day here too. Local decisions go in `extra_days_off` / `extra_workdays`.

Each year is computed once into a table of flags, so every question is a lookup.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable

import holidays

_ONE_DAY = timedelta(days=1)


def _swapped_saturdays() -> set[date]:
    """Weekend days worked in exchange for a day off, read from the package's Vietnamese table.

    The table is internal to `holidays`, so anything unexpected is ignored rather than fatal."""
    found: set[date] = set()
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        # year → one entry or a tuple of them; an entry is a tuple of 4 or 5 fields.
        table: dict[int, Any] = VietnamStaticHolidays.special_public_holidays
        for year, entries in table.items():
            if entries and not isinstance(entries[0], tuple):
                entries = (entries,)
            for entry in entries:
                if len(entry) == 4:
                    worked = date(year, entry[2], entry[3])
                elif len(entry) == 5:
                    worked = date(entry[4], entry[2], entry[3])
                else:
                    continue
                if worked.weekday() >= 5:
                    found.add(worked)
    except Exception:  # a future layout of the table: fall back to no swapped Saturdays
        return set()
    return found


class WorkCalendar:
    """Answers working-day questions for Vietnam. Cheap after the first question about a year."""

    def __init__(
        self,
        years_hint: Iterable[int] | None = None,
        extra_days_off: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ):
        self._extra_off = frozenset(extra_days_off)
        # Explicit workdays win over everything, including a holiday or a day off given here.
        self._extra_work = frozenset(extra_workdays) | (_swapped_saturdays() - self._extra_off)
        self._years: dict[int, tuple[int, bytes, list[int]]] = {}
        for year in years_hint or ():
            self._year(year)

    # -- per-year tables -------------------------------------------------------------------

    def _year(self, year: int) -> tuple[int, bytes, list[int]]:
        """(ordinal of 1 January, flags, cumulative): flags[i] is 1 when day i of the year is a
        working day, cumulative[i] the number of working days among days 0..i-1."""
        table = self._years.get(year)
        if table is not None:
            return table
        days_off = set(holidays.country_holidays("VN", years=year).keys())
        first = date(year, 1, 1)
        flags = bytearray()
        cumulative = [0]
        day = first
        while day.year == year:
            if day in self._extra_work:
                working = True
            elif day in self._extra_off or day in days_off:
                working = False
            else:
                working = day.weekday() < 5
            flags.append(1 if working else 0)
            cumulative.append(cumulative[-1] + working)
            day += _ONE_DAY
        table = (first.toordinal(), bytes(flags), cumulative)
        self._years[year] = table
        return table

    def days_off(self, year: int) -> dict[date, str]:
        """The package's public holidays of a year with their names (for display and checks)."""
        return dict(holidays.country_holidays("VN", years=year, language="en_US"))

    # -- questions -------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        first, flags, _ = self._years.get(d.year) or self._year(d.year)
        return flags[d.toordinal() - first] == 1

    def previous_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the closest working day before it."""
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the closest working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (n > 0) or before it (n < 0); `d` itself for n == 0.

        `d` need not be a working day: add_working_days(Saturday, 1) is the following Monday."""
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie in (a, b]: after `a`, up to and including `b`; when b < a,
        minus the working days in [b, a). Either way it inverts add_working_days:
        working_days_between(d, add_working_days(d, n)) == n."""
        if b < a:
            return -self.working_days_between(b - _ONE_DAY, a - _ONE_DAY)
        first_a, _, counted_a = self._year(a.year)
        first_b, _, counted_b = self._year(b.year)
        # counted[i + 1]: working days from 1 January through day i.
        through_a = counted_a[a.toordinal() - first_a + 1]
        through_b = counted_b[b.toordinal() - first_b + 1]
        if a.year == b.year:
            return through_b - through_a
        total = counted_a[-1] - through_a  # the rest of a's year
        for year in range(a.year + 1, b.year):
            total += self._year(year)[2][-1]
        return total + through_b
