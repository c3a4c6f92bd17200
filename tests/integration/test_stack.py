"""The launcher on the running stack: status, idempotent up, a taken port refused quickly."""

from __future__ import annotations

import dataclasses
import os
import socket
import time

import pytest

from newsflow_tools.stack import process
from newsflow_tools.stack.launcher import Stack, StackError
from tests.helpers import free_ports


def test_status_reports_both_services_up_with_versions(services):
    statuses = {s.name: s for s in services.stack().status()}
    assert statuses["kafka"].state == "up"
    assert statuses["elasticsearch"].state == "up"
    assert statuses["elasticsearch"].version and statuses["elasticsearch"].version.startswith("9.")
    if services.started_here:
        assert statuses["kafka"].version and statuses["kafka"].version.startswith("4.")
        assert statuses["kafka"].pid and statuses["elasticsearch"].pid


def test_second_up_is_a_no_op(services):
    if not services.started_here and services.stack().status()[0].pid is None:
        pytest.skip("services run outside the launcher here; nothing of ours to re-up")
    before = {s.name: s.pid for s in services.stack().status()}
    services.stack().up(echo=False)
    after = {s.name: s.pid for s in services.stack().status()}
    assert before == after


def test_taken_port_is_refused_within_seconds(services, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        settings = dataclasses.replace(
            services.settings, home=tmp_path / "other", kafka_bootstrap=f"127.0.0.1:{port}"
        )
        t0 = time.monotonic()
        with pytest.raises(StackError, match=f"port {port} .* already taken"):
            Stack(settings).up(echo=False)
        assert time.monotonic() - t0 < 10


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does Elasticsearch run under its own account")
def test_a_start_that_fails_half_way_leaves_nothing_running(services, tmp_path):
    # Elasticsearch's account cannot enter this directory: Kafka starts, then Elasticsearch fails.
    hidden = tmp_path / "hidden"
    hidden.mkdir(mode=0o700)
    kafka_port, controller, es_port, transport = free_ports(4)
    settings = dataclasses.replace(
        services.settings,
        home=hidden / "home",
        kafka_bootstrap=f"127.0.0.1:{kafka_port}",
        stack_kafka_controller_port=controller,
        es_url=f"http://127.0.0.1:{es_port}",
        stack_es_transport_port=transport,
    )
    stack = Stack(settings)
    with pytest.raises(RuntimeError, match="not searchable"):
        stack.up(echo=False)
    assert [s.pid for s in stack.status()] == [None, None]
    assert not process.port_open("127.0.0.1", kafka_port)
