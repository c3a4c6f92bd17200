"""A worker starts whatever it finds: table stores outliving their Kafka data are rebuilt, not fatal."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from kafka.admin import KafkaAdminClient

from newsflow_tools.stack.launcher import Stack
from streams.settings import Settings
from tests.conftest import Names, Worker, wait_for
from tests.helpers import dead_letters, doc_count, free_ports, newsflow, send
from tests.helpers import distinct_articles as corpus


def _stores(settings: Settings) -> list[Path]:
    return sorted(settings.workers_home.glob(f"{settings.app_id}-*/v*/tables/dedup_state-*.db"))


def test_a_store_ahead_of_its_recreated_changelog_is_rebuilt_with_a_warning(names, worker_factory):
    worker = worker_factory().start()
    send(names.settings, corpus(40, seed=3, host="before.example"))
    wait_for(lambda: doc_count(names.settings) == 40, 120, "the first 40 documents")
    worker.stop()
    assert _stores(names.settings), "the worker kept no table store: nothing would be tested"

    # The changelog disappears (topics recreated, another cluster): the stores are now ahead.
    changelog = f"{names.settings.app_id}-dedup_state-changelog"
    admin = KafkaAdminClient(bootstrap_servers=names.settings.kafka_bootstrap)
    try:
        admin.delete_topics([changelog])
        wait_for(lambda: changelog not in admin.list_topics(), 30, f"{changelog} to be deleted")
    finally:
        admin.close()

    worker.start()  # raised ConsistencyError (persisted offset > highwater) before
    log = worker.log.read_text(errors="replace")
    assert "table dedup_state partition" in log and "rebuilding the store from the changelog" in log
    assert "ConsistencyError" not in log
    send(names.settings, corpus(40, seed=4, host="after.example"))
    wait_for(lambda: doc_count(names.settings) == 80, 120, "40 more documents after the rebuild")
    assert dead_letters(names.settings) == []


def test_a_worker_starts_after_stack_down_purge(services, names: Names, tmp_path):
    # A private stack on free ports, so purging it leaves the session's data alone.
    kafka_port, controller, es_port, transport = free_ports(4)
    # Under the session's home: its parents are searchable by Elasticsearch's account.
    home = services.settings.home.resolve() / "test-stacks" / names.settings.app_id
    home.mkdir(parents=True)
    (home / "cache").symlink_to(services.settings.home.resolve() / "cache", target_is_directory=True)
    env = {
        **names.env,
        "NEWSFLOW_HOME": str(home),
        "NEWSFLOW_KAFKA_BOOTSTRAP": f"127.0.0.1:{kafka_port}",
        "NEWSFLOW_STACK_KAFKA_CONTROLLER_PORT": str(controller),
        "NEWSFLOW_ES_URL": f"http://127.0.0.1:{es_port}",
        "NEWSFLOW_STACK_ES_TRANSPORT_PORT": str(transport),
    }
    settings = dataclasses.replace(
        names.settings,
        home=home,
        kafka_bootstrap=env["NEWSFLOW_KAFKA_BOOTSTRAP"],
        stack_kafka_controller_port=controller,
        es_url=env["NEWSFLOW_ES_URL"],
        stack_es_transport_port=transport,
    )
    private = Names(settings, env)
    stack = Stack(settings)
    stack.up(echo=False, timeout=240)
    worker = Worker(private, tmp_path / "worker.log", extra_env=env)
    try:
        worker.start()
        send(settings, corpus(30, seed=5, host="purge.example"))
        wait_for(lambda: doc_count(settings) == 30, 120, "30 documents before the purge")
        worker.stop()
        assert _stores(settings)

        down = newsflow(env, "stack", "down", "--purge")
        assert down.returncode == 0, down.stderr
        assert not _stores(settings), "stack down --purge left the workers' table stores behind"

        stack.up(echo=False, timeout=240)
        worker.start()  # a fresh broker: the worker starts, indexes, and dead-letters nothing
        send(settings, corpus(30, seed=6, host="purge2.example"))
        wait_for(lambda: doc_count(settings) == 30, 120, "30 documents on the purged stack")
        assert dead_letters(settings) == []
    finally:
        worker.stop()
        stack.down(purge=True, echo=False)
        shutil.rmtree(home, ignore_errors=True)
