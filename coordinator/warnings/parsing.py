"""Reading a warning's text as the Meteorological Service publishes it, into the form's fields.

"北京市气象台2026年12月2日10时00分发布大风黄色预警信号：预计2日14时至3日20时，本市大部分地区
将出现5级左右偏北风……" → wind, yellow, issued 12-02 10:00, valid 12-02 14:00 → 12-03 20:00,
area 本市大部分地区. Everything read is only a suggestion the person checks before saving: a
part that cannot be read stays empty, and nothing here raises on any text.

Times are Beijing wall-clock times (naive), as people read them; the form turns them to UTC.
A date without its year or month takes them from the date before it (the valid times from the
issue time, the end from the start), or from `today`; an end that would come before its start
has rolled into the next month (or year): "30日20时至1日08时".
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MAX_TEXT = 5000  # a warning is a paragraph; more than this is not one

KIND_WORDS = {
    "道路结冰": "icy_roads",
    "沙尘暴": "sandstorm",
    "大风": "wind",
    "暴雨": "rainstorm",
    "暴雪": "snow",
    "寒潮": "cold_wave",
    "高温": "heat",
    "大雾": "fog",
    "雷电": "lightning",
    "冰雹": "hail",
}
COLOUR_WORDS = {"蓝": "blue", "黄": "yellow", "橙": "orange", "红": "red"}

_KIND = "|".join(KIND_WORDS)
_SIGNAL = re.compile(rf"({_KIND})(?:预警)?[^，。；：:]{{0,4}}?(蓝|黄|橙|红)色(?:预警)?")
_ANY_KIND = re.compile(_KIND)
_ANY_COLOUR = re.compile(r"(蓝|黄|橙|红)色")

# 2026年12月2日10时00分 / 12月2日10时 / 2日14时 / 14时 (a moment; every part but the hour may
# be left out). [0-9], not \d: full-width digits are turned to ASCII first.
_MOMENT = (
    r"(?:(?P<{p}y>[0-9]{{4}})年)?(?:(?P<{p}m>[0-9]{{1,2}})月)?(?:(?P<{p}d>[0-9]{{1,2}})[日号])?"
    r"\s*(?:(?:凌晨|早晨|上午|中午|下午|傍晚|夜间|晚上|夜里)\s*)?"
    r"(?P<{p}h>[0-9]{{1,2}})\s*[时点:：]\s*(?:(?P<{p}n>[0-9]{{1,2}})\s*分?)?"
)
_ISSUED = re.compile(_MOMENT.format(p="i") + r"[^。；]{0,12}?(?:发布|升级|更新)")
_RANGE = re.compile(_MOMENT.format(p="a") + r"\s*(?:至|到|—+|－|-|～|~)\s*" + _MOMENT.format(p="b"))
# "预计5日至7日" (heat, cold waves: whole days): from the first day's start to the last's end.
_DAYS = re.compile(
    r"(?:(?P<am>[0-9]{1,2})月)?(?P<ad>[0-9]{1,2})[日号]\s*(?:至|到|—+|－|-|～|~)\s*"
    r"(?:(?P<bm>[0-9]{1,2})月)?(?P<bd>[0-9]{1,2})[日号](?!\s*[0-9])"
)
# "，本市大部分地区将出现…" / "，我市西部山区有…": the place named after the valid times.
_AREA = re.compile(
    r"^[^，,。；]{0,6}?[，,]?\s*([^，,。；：]{2,60}?)(?:将|可能|会|仍|最高|最低|气温|出现|有|受)"
)
# An issue date without its hour ("1月30日发布"): no issue time, but the year and month of
# the valid dates.
_ISSUED_DAY = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号][^。；0-9]{0,6}?发布"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab and line breaks
_NAMED_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_NAMED_DAY_WITH_DATE = re.compile(
    r"(?:今天|今日|明天|明日|后天)\s*[（(]\s*([0-9]{1,2}[日号])\s*[）)]"
)
_NAMED_DAY = re.compile(
    r"(今天|今日|明天|明日|后天)(?=\s*(?:凌晨|早晨|上午|中午|下午|傍晚|夜间|晚上|夜里)?\s*[0-9])"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_AFTERNOON = ("下午", "傍晚", "晚上", "夜间", "夜里")


@dataclass
class Reading:
    """What a text said, each part None when it did not say it (clearly)."""

    kind: str | None = None
    level: str | None = None
    issued_at: datetime | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    area: str | None = None

    def found(self) -> list[str]:
        return [name for name, value in vars(self).items() if value]


def clean(text) -> str:
    """The text as it will be read and kept: a string without NUL and other control bytes
    (tabs and line breaks kept), bounded."""
    if not isinstance(text, str):
        return ""
    return CONTROL.sub("", text[: MAX_TEXT * 2]).strip()[:MAX_TEXT]


def read(text, today: date | None = None) -> Reading:
    """The fields a warning's text fills (see the module note); never raises."""
    text = clean(text).translate(_FULL_WIDTH_DIGITS)
    reading = Reading()
    if not text:
        return reading
    today = today or date.today()
    signal = _SIGNAL.search(text)
    if signal:
        reading.kind, reading.level = KIND_WORDS[signal.group(1)], COLOUR_WORDS[signal.group(2)]
    else:
        kind, colour = _ANY_KIND.search(text), _ANY_COLOUR.search(text)
        reading.kind = KIND_WORDS[kind.group(0)] if kind else None
        reading.level = COLOUR_WORDS[colour.group(1)] if colour else None
    issued = _ISSUED.search(text)
    base = today
    if issued:
        reading.issued_at = _moment(issued, "i", base, near=today)
        if reading.issued_at:
            base = reading.issued_at.date()
    else:
        base = _issued_day(text, today) or today
    text = _days_named(text, base)
    span = _RANGE.search(text, issued.end() if issued else 0) or _RANGE.search(text)
    if span:
        start = _moment(span, "a", base, near=None if reading.issued_at else today)
        end = _moment(span, "b", start.date(), after=start) if start else None
        if start and end and end > start:
            reading.valid_from, reading.valid_to = start, end
            reading.area = _area(text[span.end() :])
            return reading
    days = _DAYS.search(text, issued.end() if issued else 0)
    if days:
        start, end = _days(days, base)
        if start and end and end > start:
            if reading.issued_at and start.date() == reading.issued_at.date():
                start = max(start, reading.issued_at)
            reading.valid_from, reading.valid_to = start, end
            reading.area = _area(text[days.end() :])
    return reading


def _days(match, base: date) -> tuple[datetime | None, datetime | None]:
    """A range of whole days: the first day's 0:00 to the day after the last (its end)."""

    def part(name):
        value = match.group(name)
        return int(value) if value else None

    try:
        start = datetime(base.year, part("am") or base.month, part("ad"))
        end = datetime(start.year, part("bm") or start.month, part("bd")) + timedelta(days=1)
    except (ValueError, OverflowError):
        return None, None
    if end <= start:
        last = end - timedelta(days=1)
        last = _replace_year(last, last.year + 1) if part("bm") else _next_month(last)
        end = last + timedelta(days=1)
    return start, end


def _issued_day(text: str, today: date) -> date | None:
    found = _ISSUED_DAY.search(text)
    if not found:
        return None
    month, day = int(found.group("m")), int(found.group("d"))
    year = int(found.group("y")) if found.group("y") else _nearest_year(month, day, today)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_year(month: int, day: int, near: date) -> int:
    """A warning is read when it is issued: "1月30日" read on 1 December is next January's."""

    def distance(year):
        try:
            return abs((date(year, month, min(day, 28)) - near).days)
        except ValueError:
            return 10**6

    return min((near.year, near.year - 1, near.year + 1), key=distance)


def _days_named(text: str, base: date) -> str:
    """ "今天（2日）14时" and "明天20时" as the day they name ("2日14时", "3日20时"): the
    relative words counted from the issue date."""
    text = _NAMED_DAY_WITH_DATE.sub(lambda m: m.group(1), text)

    def day(match):
        return f"{(base + timedelta(days=_NAMED_DAYS[match.group(1)])).day}日"

    return _NAMED_DAY.sub(day, text)


def _moment(
    match, prefix: str, base: date, after: datetime | None = None, near: date | None = None
) -> datetime | None:
    """One moment of a match, its missing year/month/day taken from base; with `after`, a day
    before it is in the next month (a month before it, in the next year); with `near`, a
    month without its year is in the year that puts it nearest that day."""

    def part(name):
        value = match.group(prefix + name)
        return int(value) if value else None

    year, month, day, hour, minute = (part(n) for n in "ymdhn")
    if hour is None or hour > 24 or (minute or 0) > 59:
        return None
    if hour < 12 and _said_afternoon(match, prefix):
        hour += 12
    if year is None and month is not None and near is not None:
        year = _nearest_year(month, day or 1, near)
    try:
        moment = datetime(
            year or base.year, month or base.month, day or base.day, 0, minute or 0
        ) + timedelta(hours=hour)
    except (ValueError, OverflowError):
        return None
    if after is not None and moment <= after:
        if day is not None and month is None and year is None:
            moment = _next_month(moment)
        elif month is not None and year is None:
            moment = _replace_year(moment, moment.year + 1)
        elif day is None and month is None and year is None:
            moment += timedelta(days=1)  # "22时至次日6时" written as "22时至6时"
    return moment


def _said_afternoon(match, prefix: str) -> bool:
    start, end = match.span(prefix + "h")
    before = match.string[max(match.start(), start - 3) : start]
    return any(word in before for word in _AFTERNOON)


def _next_month(moment: datetime) -> datetime | None:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    try:
        return moment.replace(year=year, month=month)
    except ValueError:
        return moment  # no such day next month: leave it, the form will say it is before


def _replace_year(moment: datetime, year: int) -> datetime:
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment


def _area(rest: str) -> str | None:
    found = _AREA.search(rest)
    if not found:
        return None
    area = found.group(1).strip(" ，,")
    area = re.sub(r"^(?:预计|届时|期间)", "", area).strip()
    return area[:200] or None
