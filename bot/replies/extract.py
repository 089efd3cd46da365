"""Figures a reply carries besides its intent: task codes, a percent, a requested date, a cause.

All functions read the normalised form (see plain.py): lowercase, no diacritics, shorthand
expanded, words separated by single spaces.
"""
from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache

from bot.replies.plain import Normalised

# --- task codes ----------------------------------------------------------------------------

# "#17", "# 17", "nv17", "nv 17" (expanded to "nhiem vu 17"), "nhiệm vụ số 17", "việc số 17"
# Any number of digits: "#99999999999999999999" is a code that does not exist, to be answered
# as such, never a message without a code (which would go to the sender's only open task).
_CODE = re.compile(r"#(\d+)\b|\bnv(\d+)\b|\b(?:nhiem vu|viec|task|ma) (?:so )?(\d+)\b(?! ?(?:%|ngay|hom|tuan|thang|xa|phuong))")  # noqa: E501


_DIGIT = re.compile(r"\d")


def code_spans(norm: Normalised) -> list[tuple[int, int, int]]:
    """(code, first piece index, last piece index + 1) for each code mention, in order."""
    found: list[tuple[int, int, int]] = []
    if not _DIGIT.search(norm.s):
        return found  # every code has digits; most replies have none
    for m in _CODE.finditer(norm.s):
        if m.group(3) and m.group(0).startswith("viec") and " so " not in m.group(0):
            continue  # "việc 3 ngày" is not a code; "việc số 3" is
        code = int(next(g for g in m.groups() if g))
        first = bisect_right(norm.offsets, m.start()) - 1
        last = bisect_right(norm.offsets, m.end() - 1)
        found.append((code, first, last))
    return found


# --- percent and counted progress ----------------------------------------------------------

_PERCENT = re.compile(r"(?<![\d.,/])(\d{1,3}(?:[.,]\d+)?) ?(?:%|phan tram)")
_HALF = re.compile(r"\b(?:1|mot) (?:nuaphan|nua)\b|\bnuaphan\b")
# Things counted in progress reports: "3/7 xã", "12/15 hồ sơ".
_COUNTED = (r"xa|phuong|thi tran|don vi|ho|ho so|hs|phong|truong|cong trinh|du an|thon|ap|khu pho|"
            r"to|muc|noi dung|chi tieu|nhiem vu|ban|bo|hang muc|tieu chi|km|goi thau|ca|diem|"
            r"co so|doanh nghiep|tuyen|van ban|bao cao|huyen|xa phuong|nganh|can bo|phieu|hop dong")
_FRACTION = re.compile(
    r"(?:\b(?:xong|dat|duoc|hoan thanh|tong hop|lam|nop|gui|thu|co|ra soat|kiem tra|xu ly|giai ngan) )?"
    r"(?<![\d/])(\d{1,4})/(\d{1,4})(?![\d/])( (?:" + _COUNTED + r")\b)?")


@lru_cache(maxsize=32)  # asked several times per reply
def fraction(s: str) -> tuple[int, int] | None:
    """A counted progress figure such as "3/7 xã" (not a date such as "3/7")."""
    for m in _FRACTION.finditer(s):
        done, total = int(m.group(1)), int(m.group(2))
        counted = m.group(3) is not None or not m.group(0)[0].isdigit()
        if counted and 0 <= done <= total and total > 0:
            return done, total
    return None


@lru_cache(maxsize=32)
def percent(s: str) -> int | None:
    """The progress figure: "70%", "70 phần trăm", "một nửa" (50), "3/7 xã" (43)."""
    m = _PERCENT.search(s)
    if m:
        value = round(float(m.group(1).replace(",", ".")))
        if 0 <= value <= 100:
            return value
    if _HALF.search(s):
        return 50
    frac = fraction(s)
    if frac:
        return round(100 * frac[0] / frac[1])
    return None


# --- the requested date --------------------------------------------------------------------

_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
                 "tam": 8, "chin": 9, "muoi": 10}
_WEEKDAYS = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4,
             "sau": 4, "7": 5, "bay": 5}

_DAY_MONTH = re.compile(r"(?<![\d/#.,])(\d{1,2})[/\-](\d{1,2})(?:[/\-](\d{2,4}))?(?![\d/%])"
                        r"|(?<![\d/#.,])(\d{1,2})\.(\d{1,2})\.(\d{2,4})(?![\d%])")
_WORDY_DATE = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?\b|\b(\d{1,2}) thang (\d{1,2})\b")
_WEEKDAY = re.compile(r"\b(?:thu (2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|(chu nhat))\b( tuan (?:sau|toi))?")
_SPAN = re.compile(r"\b(\d{1,3}|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi) (ngay|hom|tuan|thang)\b(?! \d)")
_HALF_MONTH = re.compile(r"\bnua (?:thang)\b|\bnuaphan thang\b")
_NAMED = re.compile(
    r"\b(?:(dau|cuoi|giua|het) )?(tuan|thang|quy|nam) (sau|toi|nay)\b"
    r"|\b(cuoi|het|giua|dau) (tuan|thang|quy|nam)\b"
    r"|\b(?:(dau|cuoi|giua|het|sang|den|toi|trong|qua) )thang (\d{1,2})(?:/(\d{4}))?\b"
    r"|\b(ngay mai|mai|ngaykia|ngay kia|hom nay)\b"
    r"|\bngay (\d{1,2})\b(?![/\-])")


def _month_end(year: int, month: int) -> date:
    while month > 12:
        year, month = year + 1, month - 12
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_day_month(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _absolute(s: str, today: date) -> date | None:
    for m in _DAY_MONTH.finditer(s):
        if fraction(s[max(0, m.start() - 20):m.end() + 20]) and not m.group(3):
            tail = s[m.end():m.end() + 15]
            if re.match(r" (?:" + _COUNTED + r")\b", tail):
                continue  # "3/7 xã" is progress, not the 3rd of July
        g = m.groups()
        day, month, year = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        found = _next_day_month(today, int(day), int(month), int(year) if year else None)
        if found:
            return found
    wordy = _WORDY_DATE.search(s)
    if wordy:
        if wordy.group(1):
            return _next_day_month(today, int(wordy.group(1)), int(wordy.group(2)),
                                   int(wordy.group(3)) if wordy.group(3) else None)
        return _next_day_month(today, int(wordy.group(4)), int(wordy.group(5)), None)
    return None


def _weekday(s: str, today: date) -> date | None:
    m = _WEEKDAY.search(s)
    if not m:
        return None
    target = 6 if m.group(2) else _WEEKDAYS[m.group(1)]
    if m.group(3):  # "thứ 6 tuần sau": that day of next week
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=target)
    ahead = (target - today.weekday()) % 7 or 7  # "lùi sang thứ 6" on a Friday means next Friday
    return today + timedelta(days=ahead)


def _span(s: str, today: date) -> date | None:
    m = _SPAN.search(s)
    if m:
        raw, unit = m.group(1), m.group(2)
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        if unit in ("ngay", "hom"):
            return today + timedelta(days=n)
        if unit == "tuan":
            return today + timedelta(weeks=n)
        return _add_months(today, n)
    if _HALF_MONTH.search(s):
        return today + timedelta(days=15)
    return None


def _named(s: str, today: date) -> date | None:
    m = _NAMED.search(s)
    if not m:
        return None
    g = m.groups()
    monday = today - timedelta(days=today.weekday())
    quarter_end_month = (today.month - 1) // 3 * 3 + 3
    if g[1]:  # (dau|cuoi|giua|het)? (tuan|thang|quy|nam) (sau|toi|nay)
        edge, unit, which = g[0], g[1], g[2]
        step = 0 if which == "nay" else 1
    elif g[4]:  # (cuoi|het|giua|dau) (tuan|thang|quy|nam): this one
        edge, unit, step = g[3], g[4], 0
    elif g[6]:  # "sang tháng 6", "cuối tháng 6"
        month, year = int(g[6]), int(g[7]) if g[7] else None
        if not 1 <= month <= 12:
            return None
        if year is None:
            year = today.year if month >= today.month else today.year + 1
        if g[5] == "dau":
            return date(year, month, 1)
        if g[5] == "giua":
            return date(year, month, 15)
        return _month_end(year, month)
    elif g[8]:
        return today + timedelta(days={"hom nay": 0, "mai": 1, "ngay mai": 1}.get(g[8], 2))
    else:  # "ngày 20": this month, or next month when already past
        day = int(g[9])
        for months in (0, 1):
            first = _add_months(today.replace(day=1), months)
            try:
                candidate = first.replace(day=day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return None
    if unit == "tuan":
        start = monday + timedelta(weeks=step)
        return start if edge == "dau" else start + timedelta(days=2 if edge == "giua" else 4)
    if unit == "thang":
        first = _add_months(today.replace(day=1), step)
        if edge == "dau":
            return first
        if edge == "giua":
            return first.replace(day=15)
        return _month_end(first.year, first.month)
    if unit == "quy":
        end_month = quarter_end_month + 3 * step
        if edge == "dau":
            return _add_months(date(today.year, 1, 1), end_month - 3)
        return _month_end(today.year, end_month)
    year = today.year + step
    return date(year, 1, 1) if edge == "dau" else date(year, 12, 31)


def requested_date(s: str, today: date) -> date | None:
    """The date asked for, absolute or relative to `today`.

    Conventions (a working week ends on Friday): "tuần sau" / "cuối tuần sau" = Friday of next
    week, "đầu tuần sau" = its Monday, "cuối tuần" = this Friday, "thứ 6" = the next Friday
    after today, "thêm 3 ngày" / "2 hôm" = today + n, "1 tuần" = today + 7, "tháng sau" /
    "cuối tháng" = last day of that month, "đầu tháng sau" = its 1st, "cuối quý" / "cuối năm"
    = last day of the quarter / year.
    """
    for finder in (_absolute, _weekday, _span, _named):
        found = finder(s, today)
        if found:
            return found
    return None


# --- figures that cannot be right: the bot refuses them rather than guess ----------------------

_SIGNED_PERCENT = re.compile(r"(?:(?<![\d%] )([-−–]) ?)?(?<![\d.,/])(\d+(?:[.,]\d+)?) ?(?:%|phan tram)")


def impossible_percent(s: str) -> str | None:
    """A percentage written below 0 or above 100 ("-5%", "150%"), as written; else None."""
    for m in _SIGNED_PERCENT.finditer(s):
        if m.group(1) or float(m.group(2).replace(",", ".")) > 100:
            return f"{'-' if m.group(1) else ''}{m.group(2)}%"
    return None


def impossible_date(s: str, today: date) -> str | None:
    """A day/month written that no calendar has ("31/13/2026", "30/02"), as written; else None.

    Counted progress such as "3/7 xã" is not a date and is left alone."""
    for m in _DAY_MONTH.finditer(s):
        g = m.groups()
        day, month, year = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        if not year and fraction(s[max(0, m.start() - 20):m.end() + 20]):
            continue
        if _next_day_month(today, int(day), int(month), int(year) if year else None) is None:
            return m.group(0)
    for m in _WORDY_DATE.finditer(s):
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (
            m.group(4), m.group(5), None)
        if _next_day_month(today, int(day), int(month), int(year) if year else None) is None:
            return m.group(0)
    return None


# --- the cause -----------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"(?:^| )[,.;:!?()\"–-](?= |$)| (?:nen|nhung|ma|tuy nhien|do vay|vi vay|song) ")
# "vì", "do" (but not "tiến độ", "mức độ", "đo đạc"), "tại", "bởi vì", "lý do là"
_BECAUSE = re.compile(r"\b(?:vi(?! pham| tri| du| mo)|(?<!tien )(?<!muc )(?<!trinh )do(?! dac)|tai vi|boi vi|ly do|li do|nguyen nhan)(?: la)? ")  # noqa: E501
_GENERIC_ONLY = re.compile(r"^(?:da |em |phong em |dang |co |bi |gap |hien |van )*"
                           r"(?:vuong|vuong mac|kho khan|tro ngai|co vuong mac|gap kho khan)"
                           r"(?: a| anh| chi| nhe)*$")
_LEAD_PAD = re.compile(r"^(?:(?:da|vang|bao cao|anh|chi|oi|thua|em|thi|la|hien|hien tai|dang|van|bi|"
                       r"hien nay|tai|do|vi|boi|cung|con|tai vi|ly do|li do) )+")
_TRAIL_PAD = re.compile(r"(?: (?:a|anh|chi|em|nhe|oi|nhi|day|vay|ha|roi))+$")


def _clause_bounds(s: str, a: int, b: int) -> tuple[int, int]:
    start, end = 0, len(s)
    for m in _CLAUSE_BREAK.finditer(s):
        if m.end() <= a:
            start = m.end()
        elif m.start() >= b:
            end = m.start()
            break
    return start, end


def reason(norm: Normalised, a: int, b: int) -> str | None:
    """The cause around s[a:b], quoted as the officer wrote it ("thiếu số liệu từ các xã")."""
    s = norm.s
    because = _BECAUSE.search(s)
    if because:
        a, b = because.end(), max(because.end() + 1, b if b > because.end() else because.end() + 1)
    start, end = _clause_bounds(s, a, b)
    if because:
        start = max(start, because.end())  # "không xong được vì thiếu số liệu": the part after "vì"
    if _GENERIC_ONLY.match(s[start:end].strip()) and end < len(s) and s[end:end + 2].strip() == ":":
        start, end = _clause_bounds(s, end + 2, end + 3)  # "gặp khó khăn: nhà đầu tư chưa ứng vốn"
    text = s[start:end]
    lead = _LEAD_PAD.match(text)
    if lead:
        start += lead.end()
        text = s[start:end]
    trail = _TRAIL_PAD.search(text)
    if trail:
        end = start + trail.start()
    if end <= start:
        return None
    quoted = norm.quote(start, end).strip(" ,.;:!?-")
    return quoted or None


def stated_cause(norm: Normalised) -> str | None:
    """The cause after "vì", "do", "lý do là" ..., or None when no cause is stated."""
    m = _BECAUSE.search(norm.s)
    return reason(norm, m.start(), m.end()) if m else None
