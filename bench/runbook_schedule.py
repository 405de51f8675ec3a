"""Runbook scheduling speed: the critical-path schedule (and a run's forecast) of a 2,000-activity runbook.

The schedule is recomputed on every GET …/schedule, so it must stay well under a second for the largest
runbooks a cutover has (a few thousand activities). The graph is a random layered DAG, the shape of a real
cutover plan (waves of parallel work that join): 40 layers of 50 activities, each activity after the
first layer waits for two activities of the layer before and, one time in twenty, for one further back
(about 4,000 dependencies); one activity in twenty has a fixed start. Seeded, so every run measures the
same graph. Prints the median of several runs; exits 1 if the median reaches a second.

Run: `.venv/bin/python bench/runbook_schedule.py` (no database, no app: the engine is pure).
"""

import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.runbooks.forecast import Actual, forecast  # noqa: E402
from app.services.runbooks.scheduling import Activity, schedule  # noqa: E402

START = datetime(2026, 5, 1, 18, 0, tzinfo=timezone.utc)
LAYERS, WIDTH, ROUNDS = 40, 50, 9


def layered_runbook(seed: int = 18) -> list[Activity]:
    rng = random.Random(seed)
    layers: list[list[int]] = []
    activities: list[Activity] = []
    for depth in range(LAYERS):
        layer = []
        for _ in range(WIDTH):
            aid = len(activities)
            preds: set[int] = set()
            if layers:
                preds.update(rng.sample(layers[-1], 2))
                if depth > 1 and rng.random() < 0.05:
                    preds.add(rng.choice(rng.choice(layers[:-1])))
            fixed = START + timedelta(minutes=depth * 60) if rng.random() < 0.05 else None
            activities.append(Activity(aid, rng.randint(5, 240), tuple(sorted(preds)), planned_start=fixed))
            layer.append(aid)
        layers.append(layer)
    return activities


def median_seconds(work, rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    activities = layered_runbook()
    edges = sum(len(a.depends_on) for a in activities)
    plan = schedule(activities, START)
    took = median_seconds(lambda: schedule(activities, START))
    # Half the runbook done (in plan order, each 10 minutes late), the next 50 running, the rest pending.
    actuals, clock = {}, START
    for aid in plan.order[:1000]:
        planned = plan.activities[aid]
        actuals[aid] = Actual("done", planned.start + timedelta(minutes=10), planned.finish + timedelta(minutes=10))
        clock = max(clock, actuals[aid].actual_finish)
    for aid in plan.order[1000:1050]:
        actuals[aid] = Actual("running", clock)
    forecast_took = median_seconds(lambda: forecast(activities, plan, actuals, now=clock))
    print(
        f"runbook: {len(activities)} activities, {edges} dependencies, "
        f"critical path {len(plan.critical_path)} activities, planned {plan.duration_minutes} minutes"
    )
    print(f"schedule (validate + CPM forward/backward pass): median {took * 1000:.1f} ms over {ROUNDS} runs")
    print(f"forecast (half done, 50 running):                median {forecast_took * 1000:.1f} ms over {ROUNDS} runs")
    return 0 if took < 1.0 and forecast_took < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
