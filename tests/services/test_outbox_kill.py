"""The outbox publisher as a real process on PostgreSQL (issue 15.5's "done when"): killed with SIGKILL
mid-batch and started again, it delivers every event at least once with no gap per aggregate; two publishers
at once share the work without breaking the order of any aggregate."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage
from app.services import outbox
from app.utils import tenant_context

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]

# One publisher process. Its subscriber appends each delivery to a shared file (O_APPEND, one small write,
# so lines of two processes never mix and the file's order is the order of delivery) and kills its own
# process with SIGKILL after `kill_after` deliveries (0: never): no handler, no rollback, no goodbye.
PUBLISHER = textwrap.dedent(
    """
    import json, os, signal, sys
    from app import create_app
    from app.services.outbox import publisher, subscribers
    from app.utils import tenant_context

    import time
    from pathlib import Path

    url, tenant_id, log_path, kill_after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    go, pace = (Path(sys.argv[5]), float(sys.argv[6])) if len(sys.argv) > 5 else (None, 0.0)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "DATABASE_APP_ROLE": "meridian_app", "REDIS_URL": ""})
    delivered = 0

    def record(envelope):
        global delivered
        line = json.dumps([os.getpid(), envelope["aggregate_id"], envelope["sequence"]]) + "\\n"
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, line.encode())
        os.fsync(fd)
        os.close(fd)
        delivered += 1
        time.sleep(pace)  # a slow receiver, so that two publishers really overlap
        if delivered == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    subscribers.register(record)
    if go is not None:  # started together: say so, then wait for the starting gun
        Path(f"{go}.{os.getpid()}").touch()
        while not go.exists():
            time.sleep(0.01)
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        while publisher.publish_pending()["published"]:
            pass
    """
)

AGGREGATES, PER_AGGREGATE = 10, 30  # 300 events: more than one round (MESSAGES_PER_ROUND = 200)


def _start(app, tenant_id, log_path, kill_after=0, *together):
    env = {**os.environ, "MERIDIAN_ENV": "testing", "LOG_JSON": "0"}
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, app.config["SQLALCHEMY_DATABASE_URI"], str(tenant_id), str(log_path),
         str(kill_after), *map(str, together)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _emit(app, tenant_id, aggregates=AGGREGATES, per_aggregate=PER_AGGREGATE) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(aggregates)]
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        app.config["OUTBOX_PUBLISH_ON_COMMIT"] = False  # only the processes under test publish
        try:
            for n in range(per_aggregate):
                for aggregate_id in ids:
                    outbox.emit("requirement", aggregate_id, "requirement.status_changed", {"n": n})
                db.session.commit()
        finally:
            app.config["OUTBOX_PUBLISH_ON_COMMIT"] = True
    return ids


def _deliveries(log_path) -> list[tuple[int, str, int]]:
    return [tuple(json.loads(line)) for line in Path(log_path).read_text().splitlines()]


def _assert_gap_free_and_ordered(deliveries, ids, per_aggregate=PER_AGGREGATE) -> None:
    delivered = defaultdict(set)
    for _pid, aggregate, sequence in deliveries:
        assert sequence == 1 or sequence - 1 in delivered[aggregate], (
            aggregate,
            sequence,
            sorted(delivered[aggregate]),
        )
        delivered[aggregate].add(sequence)
    assert {a: delivered[a] for a in ids} == {a: set(range(1, per_aggregate + 1)) for a in ids}


def _unpublished(app, tenant_id) -> int:
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return db.session.execute(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.published_at.is_(None))
        ).scalar_one()


@pytest.mark.parametrize("kill_after", [57, 233])  # mid-way through the first round; through the second
def test_a_publisher_killed_mid_batch_redelivers_and_skips_nothing(real_services, tenant_a, tmp_path, kill_after):
    app, tenant_id = real_services, tenant_a["tenant_id"]
    ids = _emit(app, tenant_id)
    log_path = tmp_path / "deliveries.jsonl"

    killed = _start(app, tenant_id, log_path, kill_after=kill_after)
    output = killed.communicate(timeout=120)[0]
    assert killed.returncode == -signal.SIGKILL, output
    assert len(_deliveries(log_path)) == kill_after
    assert _unpublished(app, tenant_id) == AGGREGATES * PER_AGGREGATE - (200 if kill_after > 200 else 0)

    restarted = _start(app, tenant_id, log_path)
    output = restarted.communicate(timeout=120)[0]
    assert restarted.returncode == 0, output

    _assert_gap_free_and_ordered(_deliveries(log_path), ids)
    assert _unpublished(app, tenant_id) == 0


def test_two_publishers_at_once_keep_each_aggregate_in_order_and_deliver_once(real_services, tenant_a, tmp_path):
    app, tenant_id = real_services, tenant_a["tenant_id"]
    # More aggregates than one round claims (HEADS_PER_ROUND = 50): the second publisher finds heads the
    # first one does not hold.
    ids = _emit(app, tenant_id, 80, 4)
    log_path = tmp_path / "deliveries.jsonl"
    go = tmp_path / "go"
    publishers = [_start(app, tenant_id, log_path, 0, go, 0.01) for _ in range(2)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
        assert all(p.poll() is None for p in publishers), [p.communicate()[0] for p in publishers]
        time.sleep(0.05)
    go.touch()
    for process in publishers:
        output = process.communicate(timeout=120)[0]
        assert process.returncode == 0, output
    deliveries = _deliveries(log_path)
    _assert_gap_free_and_ordered(deliveries, ids, 4)
    assert len(deliveries) == 80 * 4  # no crash, so each exactly once
    assert {pid for pid, _, _ in deliveries} == {p.pid for p in publishers}  # both did share the work
    assert _unpublished(app, tenant_id) == 0
