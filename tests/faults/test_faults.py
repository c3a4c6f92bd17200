"""The fault suite on the real stack: malformed input, worker crashes, a broker crash, an
Elasticsearch crash. Nothing lost, nothing duplicated, no agent crash; see scenarios.py."""

from __future__ import annotations

import pytest

from newsflow_tools.stack import process
from tests.faults import scenarios
from tests.faults.scenarios import Row

pytestmark = pytest.mark.services


def assert_held(row: Row) -> None:
    assert row.problems == []
    assert (row.lost, row.duplicated) == (0, 0)
    assert row.crashes == 0, "an agent crashed (see the worker log)"
    assert row.worker_restarts == 0, "the worker exited and had to be started again"


def test_malformed_messages_of_every_kind_are_dead_lettered_with_their_code(names, worker_factory, record):
    row = scenarios.fuzz(names, worker_factory)
    record.append(row)
    assert_held(row)
    assert sum(row.dead_lettered.values()) == 10_000
    assert row.indexed == row.expected_documents == 1_000


def test_five_worker_sigkills_lose_and_double_count_nothing(names, worker_factory, record):
    row = scenarios.worker_kills(names, worker_factory)
    record.append(row)
    assert_held(row)
    assert row.figures["kills"] == 5
    assert row.indexed == row.expected_documents


def test_a_broker_sigkill_for_20s_loses_nothing_and_the_worker_recovers(
    services, names, worker_factory, record
):
    stack = services.stack()
    assert process.read_pid(stack.kafka_pidfile), "this test kills the broker the launcher started"
    row = scenarios.broker_kill(names, worker_factory, stack)
    record.append(row)
    assert_held(row)


def test_an_elasticsearch_sigkill_for_60s_loses_nothing(services, names, worker_factory, record):
    stack = services.stack()
    assert process.read_pid(stack.es_pidfile), "this test kills the Elasticsearch the launcher started"
    row = scenarios.elasticsearch_kill(names, worker_factory, stack)
    record.append(row)
    assert_held(row)
