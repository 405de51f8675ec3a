"""SLA time arithmetic on 24x7 and business-hours calendars (project time zone, weekends, holidays, DST)."""

from datetime import UTC, date, datetime, time, timedelta

from app.services.hypercare.sla_calendar import Calendar

UTC = UTC
BERLIN_HOURS = Calendar(kind="business_hours", tz="Europe/Berlin", start=time(9), end=time(18))


def test_24x7_adds_wall_clock_minutes():
    start = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    assert Calendar().add_minutes(start, 240) == start + timedelta(hours=4)
    assert Calendar().minutes_between(start, start + timedelta(hours=4)) == 240


def test_business_hours_deadline_skips_the_weekend():
    friday_1600_berlin = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    # 2 h left on Friday, the remaining 6 h on Monday: Monday 15:00 Berlin = 14:00 UTC.
    assert BERLIN_HOURS.add_minutes(friday_1600_berlin, 8 * 60) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert BERLIN_HOURS.minutes_between(friday_1600_berlin, datetime(2026, 3, 9, 14, 0, tzinfo=UTC)) == 480


def test_business_hours_deadline_skips_a_holiday_too():
    calendar = Calendar(
        kind="business_hours", tz="Europe/Berlin", start=time(9), end=time(18), holidays=frozenset({date(2026, 3, 9)})
    )
    friday_1600_berlin = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    assert calendar.add_minutes(friday_1600_berlin, 8 * 60) == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_reported_outside_hours_starts_at_the_next_opening():
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    assert BERLIN_HOURS.add_minutes(saturday, 60) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Mon 10:00 Berlin
    assert BERLIN_HOURS.minutes_between(saturday, datetime(2026, 3, 8, 20, 0, tzinfo=UTC)) == 0


def test_business_hours_follow_daylight_saving_time():
    # Berlin moves to summer time on 29 March 2026: 09:00 local is 07:00 UTC from then on.
    friday_1700_berlin = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
    assert BERLIN_HOURS.add_minutes(friday_1700_berlin, 120) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
