"""`newsflow status` on the real stack: the backlog a stopped worker leaves shows as lag, drains
when it is back; documents, workers and dead letters by code are right; a server down is named."""

from __future__ import annotations

import json

from tests.conftest import wait_for
from tests.helpers import distinct_articles as corpus
from tests.helpers import doc_count, free_ports, newsflow, send


def status(env: dict[str, str]) -> tuple[int, dict]:
    done = newsflow(env, "status", "--json")
    return done.returncode, json.loads(done.stdout)


def test_status_shows_the_backlog_of_a_stopped_worker_and_its_drain(names, worker_factory):
    worker = worker_factory().start()
    send(names.settings, corpus(10, seed=31, host="status.example"))
    wait_for(lambda: doc_count(names.settings) == 10, 120, "10 documents")
    wait_for(
        lambda: (
            status(names.env)[1]["lag"].get(names.raw)
            and sum(status(names.env)[1]["lag"][names.raw].values()) == 0
        ),
        60,
        "the first 10 committed",
    )
    worker.stop()

    send(names.settings, [*corpus(30, seed=32, host="status2.example"), b"{broken", b"{broken too"])
    code, backlog = status(names.env)
    assert code == 0
    assert sum(backlog["lag"][names.raw].values()) == 32
    assert set(backlog["lag"][names.raw]) == {"0", "1"}
    assert backlog["workers"] == 0
    assert backlog["documents"] == 10
    assert backlog["dead_letters_day"] == {}
    text = newsflow(names.env, "status").stdout
    assert f"lag             {names.raw}: 32" in text and "documents       10" in text

    worker.start()
    wait_for(lambda: doc_count(names.settings) == 40, 120, "40 documents")

    def drained() -> dict | None:
        found = status(names.env)[1]
        return found if sum(found["lag"][names.raw].values()) == 0 and found["dead_letters_day"] else None

    after = wait_for(drained, 60, "the backlog drained")
    assert isinstance(after, dict)
    assert after["workers"] == 1 and after["documents"] == 40
    assert after["dead_letters_hour"] == after["dead_letters_day"] == {"invalid_json": 2}


def test_status_names_a_server_that_is_down_and_still_shows_the_other(names):
    (closed,) = free_ports(1)
    env = {**names.env, "NEWSFLOW_ES_URL": f"http://127.0.0.1:{closed}"}
    code, found = status(env)
    assert code == 3
    assert found["elasticsearch"] == "down" and found["kafka"] == "up"
    assert any(f"127.0.0.1:{closed}" in p and "does not answer" in p for p in found["problems"]), found
    text = newsflow(env, "status")
    assert text.returncode == 3 and "elasticsearch   down" in text.stdout and "problem" in text.stdout
