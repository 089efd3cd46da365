"""Vietnamese deadline phrases → dates.

Our own grammar handles the wordings offices actually use; dateparser is only a last resort for
odd date spellings (it silently misreads "trong tháng 4/2023" and friends, so it never sees those).

Every result keeps `text`, the minimal span with its preposition, so the bot can show the words
beside the date. A date without a year is the next one on or after `ref` (the notice date); a
relative deadline ("trong 30 ngày kể từ ngày ký") needs `ref`, else its date is None.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

RECURRENCES = ("weekly", "monthly", "quarterly", "semiannual", "yearly")


@dataclass(frozen=True)
class Deadline:
    date: date | None
    text: str
    recurrence: str | None = None


# ---- building blocks -------------------------------------------------------------------------

_NUMDATE = r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}|\d{2}))?(?![\d/])"
_WORDDATE = (r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})(?:\s*(?:năm|,)\s*(?P<y2>\d{4}))?")
_DATE = rf"(?:ngày\s+)?(?:{_NUMDATE}|{_WORDDATE})"
_TIME = r"(?:(?:lúc\s+)?\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}\s*(?:phút)?)?\s*,?\s*)"
_BY = (r"(?:trước|chậm nhất(?:\s+là)?(?:\s+(?:đến|vào|trước))?|không\s+quá|không\s+muộn\s+hơn|"
       r"hạn\s+chót(?:\s+là)?|"
       r"(?:thời\s+hạn|hạn)(?:\s+hoàn\s+thành)?\s*:?|đến\s+hết|trong)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:\s*(?:/|năm|-)\s*(?P<y>\d{4}))?"
_W = r"(?<![\w])"  # word start (Vietnamese letters are \w)

_RECUR_UNITS = {"tuần": "weekly", "tháng": "monthly", "quý": "quarterly", "năm": "yearly"}


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_on_or_after(day: int, month: int, ref: date | None) -> date | None:
    if ref is None:
        return None
    for year in (ref.year, ref.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= ref:
            return candidate
    return None


def _make_date(d: str, m: str, y: str | None, ref: date | None) -> date | None:
    day, month, year = int(d), int(m), _year(y)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is None:
        return _next_on_or_after(day, month, ref)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_of(m: re.Match, ref: date | None) -> date | None:
    if m.group("d"):
        return _make_date(m.group("d"), m.group("m"), m.group("y"), ref)
    return _make_date(m.group("d2"), m.group("m2"), m.group("y2"), ref)


@lru_cache(maxsize=1)
def _calendar():
    from bot.dates.workdays import WorkCalendar  # the one working-day calendar (holidays, Tết, swaps)

    return WorkCalendar()


def _add_working_days(start: date, days: int) -> date:
    return _calendar().add_working_days(start, days)


def _tet_eve(ref: date | None) -> date | None:
    """"trước Tết (Nguyên đán)": the last working day before the next Tết break on or after `ref`."""
    if ref is None:
        return None
    import holidays

    for year in (ref.year, ref.year + 1):
        days = sorted(d for d, name in holidays.country_holidays("VN", years=year, language="en_US").items()
                      if "Lunar New Year" in name)
        if days and days[0] > ref:
            return _calendar().previous_working_day(days[0] - timedelta(days=1))
    return None


# Deadline words typed without accents ("truoc ngay 15/5", "cuoi quy", "trong 10 ngay lam viec"):
# given back their accents, letter for letter so offsets stay, and only in a text with no accent at all.
_PLAIN_WORDS = {
    "dinh ky": "định kỳ", "lam viec": "làm việc", "ke tu": "kể từ", "ban hanh": "ban hành",
    "cham nhat": "chậm nhất", "khong qua": "không quá", "khong muon hon": "không muộn hơn", "han chot": "hạn chót",
    "thoi han": "thời hạn", "hoan thanh": "hoàn thành", "nguyen dan": "nguyên đán", "nhan duoc": "nhận được",
    "truoc": "trước", "ngay": "ngày", "thang": "tháng", "nam": "năm", "quy": "quý", "tuan": "tuần",
    "cuoi": "cuối", "dau": "đầu", "hang": "hằng", "het": "hết", "den": "đến", "vao": "vào", "gio": "giờ",
    "luc": "lúc", "toi": "tới", "nay": "này", "moi": "mỗi", "lan": "lần", "mot": "một", "tet": "tết",
    "han": "hạn", "ky": "ký", "vong": "vòng", "phut": "phút", "cua": "của",
}
_PLAIN_RX = re.compile(r"(?<![a-z])(?:" + "|".join(sorted(map(re.escape, _PLAIN_WORDS), key=len, reverse=True))
                       + r")(?![a-z])")


def _with_accents(text: str) -> str:
    if not text.isascii():
        return text
    return _PLAIN_RX.sub(lambda m: _PLAIN_WORDS[m.group(0)], text)


# ---- the grammar: (compiled pattern, handler) in priority order -------------------------------

@dataclass
class _Hit:
    start: int
    end: int
    date: date | None
    recurrence: str | None = None
    priority: int = 0


_DIGIT = re.compile(r"\d")


def _rx(pattern: str) -> re.Pattern:
    # patterns are written in lower case and run on lower-cased text: IGNORECASE on Unicode is slow
    return re.compile(pattern)


# "trước ngày 05/6 và 05/12 hàng năm", "trước ngày 20 hằng tháng", "ngày 25 hàng tháng"
_SCHEDULE = _rx(
    rf"{_W}(?:(?:{_BY})\s+)?(?:ngày\s+)?(?P<dates>\d{{1,2}}(?:\s*/\s*\d{{1,2}})?"
    rf"(?:\s*(?:,|và)\s*(?:ngày\s+)?\d{{1,2}}(?:\s*/\s*\d{{1,2}})?)*)\s+(?:của\s+)?(?:hàng|hằng)\s+(?P<unit>tháng|năm|quý)")
_RECUR = _rx(
    rf"{_W}(?:định\s+kỳ\s+(?:(?:hàng|hằng|mỗi)\s+)?(?P<u1>tuần|tháng|quý|năm|0?6\s+tháng|sáu\s+tháng)"
    rf"|(?:hàng|hằng|mỗi)\s+(?P<u2>tuần|tháng|quý|năm|0?6\s+tháng)"
    rf"|(?P<u3>0?6\s+tháng|sáu\s+tháng)\s+(?:một|1)\s+lần"
    rf"|(?P<u4>tuần|tháng|quý|năm)\s+(?:một|1)\s+lần)(?![\w])")
_TIMED = _rx(rf"{_W}(?:(?:{_BY})\s+)?(?:lúc\s+)?\d{{1,2}}\s*(?:giờ|h)(?:\s*\d{{1,2}}\s*(?:phút)?)?\s*,?\s*(?:ngày\s+)?(?:{_NUMDATE}|{_WORDDATE})")  # noqa: E501
_BYDATE = _rx(rf"{_W}(?:{_BY})\s+(?:(?:hết\s+)?ngày\s+)?(?:{_NUMDATE}|{_WORDDATE})")
_INMONTH = _rx(rf"{_W}(?:trong|trước|hết|cuối|đến\s+hết|chậm\s+nhất\s+(?:trong|hết|cuối))\s+(?:tháng\s+)(?P<mo>\d{{1,2}})(?:\s*(?:/|năm|-)\s*(?P<y>\d{{4}}))?(?![\d/])")  # noqa: E501
_INQUARTER = _rx(rf"{_W}(?:trong|hết|cuối|trước)\s+quý\s+(?P<q>iv|iii|ii|i|[1-4])(?![\w]){_YEAR}")
_INYEAR = _rx(rf"{_W}(?:trong|hết|cuối|trước)\s+năm\s+(?P<y>\d{{4}})")
_RELDAYS = _rx(rf"{_W}(?:trong(?:\s+(?:vòng|thời\s+hạn))?|chậm\s+nhất(?:\s+là)?|sau|không\s+quá)\s+(?P<n>\d{{1,3}})\s+ngày(?P<work>\s+làm\s+việc)?"  # noqa: E501
               r"(?:\s+(?:kể\s+)?từ\s+(?:ngày\s+)?(?:ký|ban\s+hành|nhận\s+được[^,.;]{0,40}))?")
_QUARTER_DAY = _rx(rf"{_W}(?:(?:{_BY})\s+)?ngày\s+(?P<d>\d{{1,2}})\s+(?:của\s+)?tháng\s+cuối\s+(?:mỗi\s+|hằng\s+|hàng\s+)?quý")  # noqa: E501
_BARE_PERIOD = _rx(rf"{_W}(?<!tháng )(?P<kind>trong\s+tuần(?:\s+(?:này|tới|sau))?|trong\s+tháng(?:\s+(?:này|tới|sau))?|cuối\s+tháng(?:\s+(?:này|tới|sau))?|"  # noqa: E501
                   r"hết\s+tháng(?:\s+này)?|trong\s+quý(?:\s+này)?|cuối\s+quý|trong\s+năm(?:\s+nay)?|cuối\s+năm(?:\s+nay)?|hết\s+năm(?:\s+nay)?)(?![\w])(?!\s*\d)"
                   r"(?!\s+(?:học|lễ|tài\s+chính|ngân\s+sách|kế\s+hoạch|trước|qua|âm\s+lịch|dương\s+lịch|cũ|mới)(?![\w]))")
_HALF_YEAR = _rx(rf"{_W}trong\s+(?:0?6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm(?:\s+(?P<y>\d{{4}}))?")
_CONDITION = _rx(r"khi\s+(?:được|có)\s+\w+|sau\s+khi\s+")
_BEFORE_TET = _rx(rf"{_W}(?:trước|chậm\s+nhất\s+trước)\s+(?:kỳ\s+nghỉ\s+)?tết(?:\s+nguyên\s+đán)?(?![\w])")
# "đầu tháng sau", "đầu tháng 5/2026": the month's first day (as replies read "đầu tháng sau")
_START_OF_MONTH = _rx(rf"{_W}(?:trước\s+|vào\s+|trong\s+)?đầu\s+tháng\s+(?:(?P<rel>sau|tới|này)|(?P<mo>\d{{1,2}})"
                      rf"(?:\s*(?:/|năm|-)\s*(?P<y>\d{{4}}))?)(?![\w/])")


def _quarter_end(year: int, q: int) -> date:
    return _month_end(year, q * 3)


def _end_of_week(ref: date, weeks_ahead: int = 0) -> date:
    return ref + timedelta(days=6 - ref.weekday() + 7 * weeks_ahead)


def _scan(original: str, ref: date | None) -> list[_Hit]:
    hits: list[_Hit] = []
    text = original.lower()
    if len(text) != len(original):  # a character whose lower case is longer: keep offsets right
        text = "".join(c.lower() if len(c.lower()) == 1 else c for c in original)
    text = _with_accents(text)
    has_digit = _DIGIT.search(text) is not None
    recurring = "hàng" in text or "hằng" in text or "mỗi" in text or "định kỳ" in text or "lần" in text
    periods = any(w in text for w in ("tuần", "tháng", "quý", "năm"))
    if "tết" in text:
        for m in _BEFORE_TET.finditer(text):
            hits.append(_Hit(m.start(), m.end(), _tet_eve(ref), None, 2))
    if not (has_digit or recurring or periods):
        return hits

    for m in (_SCHEDULE.finditer(text) if has_digit and ("hàng" in text or "hằng" in text) else ()):
        unit = m.group("unit").lower()
        parts = re.findall(r"(\d{1,2})(?:\s*/\s*(\d{1,2}))?", m.group("dates"))
        dates: list[date] = []
        for d, mo in parts:
            if unit == "tháng" or not mo:
                if ref is None or unit != "tháng":
                    continue
                # the next such day of a month on or after ref
                for k in range(0, 13):
                    y, mth = divmod(ref.month - 1 + k, 12)
                    try:
                        cand = date(ref.year + y, mth + 1, int(d))
                    except ValueError:
                        continue
                    if cand >= ref:
                        dates.append(cand)
                        break
            else:
                got = _make_date(d, mo, None, ref)
                if got:
                    dates.append(got)
        if unit == "tháng":
            recurrence = "monthly"
        elif unit == "quý":
            recurrence = "quarterly"
        else:
            recurrence = {1: "yearly", 2: "semiannual", 4: "quarterly"}.get(len(parts), "yearly")
        hits.append(_Hit(m.start(), m.end(), min(dates) if dates else None, recurrence, 5))

    for m in (_RECUR.finditer(text) if recurring else ()):
        unit = (m.group("u1") or m.group("u2") or m.group("u3") or m.group("u4")).lower()
        recurrence = "semiannual" if ("6" in unit or "sáu" in unit) else _RECUR_UNITS[unit]
        hits.append(_Hit(m.start(), m.end(), None, recurrence, 4))

    for m in (_TIMED.finditer(text) if has_digit and ("giờ" in text or "h" in text) else ()):
        hits.append(_Hit(m.start(), m.end(), _date_of(m, ref), None, 3))
    for m in (_BYDATE.finditer(text) if has_digit else ()):
        hits.append(_Hit(m.start(), m.end(), _date_of(m, ref), None, 3))

    for m in (_INMONTH.finditer(text) if has_digit and "tháng" in text else ()):
        month = int(m.group("mo"))
        if not 1 <= month <= 12:
            continue
        year = _year(m.group("y"))
        if year is None:
            if ref is None:
                hits.append(_Hit(m.start(), m.end(), None, None, 2))
                continue
            year = ref.year if month >= ref.month else ref.year + 1
        if m.group(0).lower().startswith("trước"):
            # "trước tháng 5" = by the end of April
            end = date(year, month, 1) - timedelta(days=1)
        else:
            end = _month_end(year, month)
        hits.append(_Hit(m.start(), m.end(), end, None, 2))

    for m in (_START_OF_MONTH.finditer(text) if "đầu" in text else ()):
        when = None
        if m.group("rel") and ref is not None:
            when = date(ref.year, ref.month, 1)
            if m.group("rel") != "này":
                when = (when + timedelta(days=32)).replace(day=1)
        elif m.group("mo") and 1 <= int(m.group("mo")) <= 12:
            month, year = int(m.group("mo")), _year(m.group("y"))
            if year is None and ref is not None:
                year = ref.year if month >= ref.month else ref.year + 1
            when = date(year, month, 1) if year else None
        hits.append(_Hit(m.start(), m.end(), when, None, 2))

    for m in (_INQUARTER.finditer(text) if "quý" in text else ()):
        q = _ROMAN[m.group("q").lower()]
        year = _year(m.group("y")) or (ref.year if ref else None)
        if year is None:
            hits.append(_Hit(m.start(), m.end(), None, None, 2))
            continue
        if m.group(0).lower().startswith("trước"):
            end = date(year, q * 3 - 2, 1) - timedelta(days=1)
            if not m.group("y") and ref is not None and end < ref:
                end = date(year + 1, q * 3 - 2, 1) - timedelta(days=1)  # "trước quý I" said in November
        else:
            end = _quarter_end(year, q)
            if not m.group("y") and ref is not None and end < ref:
                end = _quarter_end(year + 1, q)
        hits.append(_Hit(m.start(), m.end(), end, None, 2))

    for m in (_INYEAR.finditer(text) if has_digit and "năm" in text else ()):
        year = int(m.group("y"))
        end = date(year - 1, 12, 31) if m.group(0).lower().startswith("trước") else date(year, 12, 31)
        hits.append(_Hit(m.start(), m.end(), end, None, 2))

    for m in (_QUARTER_DAY.finditer(text) if "quý" in text else ()):
        when = None
        if ref is not None:
            for k in range(0, 5):  # day d of the last month of this quarter or the next ones
                q_end_month = ((ref.month - 1) // 3 + 1 + k) * 3
                y, mth = ref.year + (q_end_month - 1) // 12, (q_end_month - 1) % 12 + 1
                try:
                    cand = date(y, mth, int(m.group("d")))
                except ValueError:
                    continue
                if cand >= ref:
                    when = cand
                    break
        hits.append(_Hit(m.start(), m.end(), when, "quarterly", 5))

    for m in (_HALF_YEAR.finditer(text) if "tháng" in text else ()):
        year = _year(m.group("y")) or (ref.year if ref else None)
        when = None if year is None else (date(year, 6, 30) if m.group("half") == "đầu" else date(year, 12, 31))
        hits.append(_Hit(m.start(), m.end(), when, None, 2))

    for m in (_RELDAYS.finditer(text) if has_digit and "ngày" in text else ()):
        n = int(m.group("n"))
        when = None
        if ref is not None:
            when = _add_working_days(ref, n) if m.group("work") else ref + timedelta(days=n)
        hits.append(_Hit(m.start(), m.end(), when, None, 2))

    for m in (_BARE_PERIOD.finditer(text) if periods else ()):
        kind = re.sub(r"\s+", " ", m.group("kind").lower())
        when = None
        if ref is not None:
            later = kind.endswith(("tới", "sau"))
            if "tuần" in kind:
                when = _end_of_week(ref, 1 if later else 0)
            elif "tháng" in kind:
                y, mth = (ref.year, ref.month + 1) if later else (ref.year, ref.month)
                if mth == 13:
                    y, mth = y + 1, 1
                when = _month_end(y, mth)
            elif "quý" in kind:
                when = _quarter_end(ref.year, (ref.month - 1) // 3 + 1)
            else:
                when = date(ref.year, 12, 31)
        hits.append(_Hit(m.start(), m.end(), when, None, 1))
    return hits


def _trim(text: str, hit: _Hit) -> str:
    return re.sub(r"\s+", " ", text[hit.start:hit.end]).strip(" ,;")


def _dateparser_fallback(phrase: str, ref: date | None) -> date | None:
    """Last resort for spellings the grammar does not know; only for phrases with a day and a month."""
    if not re.search(r"\d", phrase) or re.search(r"tháng\s+\d+\s*/|quý|năm\s+\d{4}\s*$", phrase, re.I):
        return None
    try:
        import dateparser  # slow to import: only when really needed
    except ImportError:  # pragma: no cover
        return None
    from datetime import datetime
    settings: dict[str, Any] = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "REQUIRE_PARTS": ["day", "month"]}
    if ref is not None:
        settings["RELATIVE_BASE"] = datetime(ref.year, ref.month, ref.day)
    stripped = re.sub(r"^\s*(trước|chậm nhất|hạn|đến|vào)\s+(ngày\s+)?", "", phrase, flags=re.I)
    try:
        found = dateparser.parse(stripped, languages=["vi"], settings=settings)
    except Exception:
        return None
    return found.date() if found else None


def _pick(hits: list[_Hit]) -> _Hit | None:
    if not hits:
        return None
    recurring = [h for h in hits if h.recurrence]
    if recurring:
        # a schedule with dates beats a bare "định kỳ hằng năm"; the earliest in the text wins ties
        return sorted(recurring, key=lambda h: (-h.priority, h.start))[0]
    # drop hits nested inside a longer one ("trong tháng" inside "trong tháng 4/2023")
    outer = [h for h in hits if not any(o is not h and o.start <= h.start and h.end <= o.end
                                        and (o.end - o.start) > (h.end - h.start) for o in hits)]
    dated = [h for h in outer if h.priority >= 2]
    if not dated:
        vague = [h for h in outer if h.priority == 1]
        # "trong tuần, trong tháng" side by side is a rhythm of work, not a deadline
        if len(vague) == 1:
            return vague[0]
        return None
    # several deadlines in one task: the last one the task must meet (usually its report)
    with_date = [h for h in dated if h.date]
    if with_date:
        return sorted(with_date, key=lambda h: (h.date, h.start))[-1]
    return dated[0]


@lru_cache(maxsize=4096)  # the parser asks again about the same growing task text
def find_deadline(sentence: str, ref: date | None = None) -> Deadline | None:
    """The deadline (or schedule) a directive gives, or None when it gives none."""
    if not sentence:
        return None
    hit = _pick(_scan(sentence, ref))
    if hit is None:
        return None
    return Deadline(hit.date, _trim(sentence, hit), hit.recurrence)


_RULES: tuple[tuple[str, str], ...] = (  # for explanations: the grammar's rules by name, most specific first
    ("schedule", "_SCHEDULE"), ("quarter_day", "_QUARTER_DAY"), ("recurring", "_RECUR"), ("tet", "_BEFORE_TET"),
    ("working_days", "_RELDAYS"), ("days", "_RELDAYS"), ("start_of_month", "_START_OF_MONTH"),
    ("half_year", "_HALF_YEAR"),
    ("quarter", "_INQUARTER"), ("year", "_INYEAR"), ("month", "_INMONTH"), ("day", "_BYDATE"), ("day", "_TIMED"),
    ("period", "_BARE_PERIOD"),
)


def deadline_rule(text: str) -> str:
    """Which rule of the grammar reads `text` (a Deadline's text): "day", "month", "working_days" …"""
    lowered = _with_accents(text.lower())
    for name, attr in _RULES:
        if name == "working_days":
            m = _RELDAYS.search(lowered)
            if m and m.group("work"):
                return name
            continue
        rx = globals()[attr]
        m = rx.search(lowered)
        if m and (name != "month" or not lowered.startswith("trước")):
            return name
        if m and name == "month":
            return "before_month"
    return "fallback"


def parse_deadline(phrase: str, ref: date | None = None) -> Deadline | None:
    """Read a phrase that is meant to be a deadline ("trước ngày 3-12", "trong quý II/2023")."""
    if not phrase or not phrase.strip():
        return None
    found = find_deadline(phrase, ref)
    if found is not None:
        return found
    clean = re.sub(r"\s+", " ", phrase).strip(" ,;.")
    if _CONDITION.search(clean.lower()):
        return None
    # a bare date "15/5/2023" or "ngày 15/5" is a deadline when given as one
    m = re.fullmatch(rf"(?:{_TIME})?{_DATE}", clean, re.IGNORECASE)
    if m:
        return Deadline(_date_of(m, ref), clean, None)
    when = _dateparser_fallback(clean, ref)
    return Deadline(when, clean, None) if when else None
