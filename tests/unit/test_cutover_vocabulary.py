"""The cutover models spell the engine's vocabularies (they sit below the services and cannot import them):
a kind or status added on one side only would store what the other refuses."""

from app.models import cutover
from app.services.runbooks import forecast, scheduling


def test_activity_kinds_and_statuses_match_the_engine():
    assert cutover.ACTIVITY_KINDS == scheduling.KINDS
    assert cutover.ACTIVITY_STATUSES == forecast.STATUSES
