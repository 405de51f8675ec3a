"""The Redis store's multi-key read (app/utils/kvstore.py `get_many`) keeps a connection per process and thread and
talks to it directly, past redis-py's command layer. These tests hold it to what redis-py's own MGET did: the values
in order, a lost connection survived, a connection never shared across a fork."""

import pytest

pytestmark = pytest.mark.services


@pytest.fixture
def store(real_services):
    store = real_services.extensions["kv"]
    assert store.backend == "redis"
    store.set("rs-a", "one", 60)
    store.set("rs-b", "two", 60)
    yield store
    for key in ("rs-a", "rs-b"):
        store.delete(key)


def test_values_come_in_the_order_asked_with_none_for_missing_keys(store):
    assert store.get_many("rs-b", "rs-missing", "rs-a") == ["two", None, "one"]
    assert store.get_many("rs-a", "rs-b") == store.client.mget([store.prefix + "rs-a", store.prefix + "rs-b"])


def test_a_connection_the_server_closed_is_replaced_on_the_same_call(store):
    assert store.get_many("rs-a") == ["one"]
    connection = store._local.held[1]
    name = f"rs-test-{id(connection)}"
    connection.send_command("CLIENT", "SETNAME", name)
    assert connection.read_response() in ("OK", b"OK")
    killed = [c for c in store.client.client_list() if c.get("name") == name]
    assert killed, "the store's own connection is listed"
    store.client.client_kill_filter(_id=killed[0]["id"])
    assert store.get_many("rs-a", "rs-b") == ["one", "two"]  # retried once on a new connection
    assert store._local.held[1] is not connection


def test_a_connection_from_before_a_fork_is_not_used_by_the_child(store, monkeypatch):
    assert store.get_many("rs-a") == ["one"]
    parents = store._local.held[1]
    monkeypatch.setattr("app.utils.kvstore.os.getpid", lambda: -1)  # as if this were a forked worker
    assert store.get_many("rs-b") == ["two"]
    assert store._local.held[1] is not parents
