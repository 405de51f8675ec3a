"""SLA time arithmetic: adding and measuring SLA minutes on a 24x7 or a business-hours calendar.

A business-hours calendar is local to the project: working days and hours in the project's time zone
(DST-correct through zoneinfo), minus holidays. All inputs and outputs are timezone-aware UTC.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MAX_DAYS = 3 * 366  # a target can never need more working days than this; guards a calendar with none


@dataclass(frozen=True)
class Calendar:
    kind: str = "24x7"  # "24x7" | "business_hours"
    tz: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def is_24x7(self) -> bool:
        return self.kind != "business_hours"

    def _windows(self, from_utc: datetime):
        """Working windows (UTC start, UTC end) from the local day of `from_utc` onwards."""
        zone = ZoneInfo(self.tz)
        day = from_utc.astimezone(zone).date()
        for _ in range(_MAX_DAYS):
            if day.weekday() in self.working_days and day not in self.holidays:
                start = datetime.combine(day, self.start, zone).astimezone(UTC)
                end = datetime.combine(day, self.end, zone).astimezone(UTC)
                if end > start:
                    yield start, end
            day += timedelta(days=1)

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of SLA time after `start`."""
        if self.is_24x7:
            return start + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        for window_start, window_end in self._windows(start):
            if window_end <= start:
                continue
            begin = max(start, window_start)
            available = window_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise ValueError("the business-hours calendar has no working time")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """SLA minutes elapsed from `start` to `end` (0 when end <= start)."""
        if end <= start:
            return 0.0
        if self.is_24x7:
            return (end - start).total_seconds() / 60
        total = timedelta()
        for window_start, window_end in self._windows(start):
            if window_start >= end:
                break
            overlap = min(end, window_end) - max(start, window_start)
            if overlap > timedelta():
                total += overlap
        return total.total_seconds() / 60
