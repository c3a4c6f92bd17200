"""Shared fixtures: the real Kafka + Elasticsearch for the session, unique names per test, workers."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.5) -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last value: {last!r})")


@dataclasses.dataclass
class Services:
    settings: Settings
    started_here: bool

    def stack(self):  # type: ignore[no-untyped-def]
        from newsflow_tools.stack.launcher import Stack

        return Stack(self.settings)


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """Kafka and Elasticsearch where the environment points; started (and stopped) here if absent."""
    from newsflow_tools.stack.launcher import Stack

    settings = Settings.from_env()
    stack = Stack(settings)
    up = [st.state == "up" for st in stack.status()]
    started = False
    if not all(up):
        stack.up(timeout=240, echo=True)
        started = True
    yield Services(settings, started)
    if started:
        stack.down()


@dataclasses.dataclass
class Names:
    """One test's private topics, index and consumer group."""

    settings: Settings
    env: dict[str, str]

    @property
    def raw(self) -> str:
        return self.settings.topic("articles.raw")

    @property
    def dlq(self) -> str:
        return self.settings.topic("articles.dlq")


@pytest.fixture
def names(services: Services) -> Iterator[Names]:
    made = new_names()
    yield made
    cleanup(made)


def new_names(base: dict[str, str] | None = None, letter: str = "t") -> Names:
    """Private topics, index and consumer group on the running stack (drop them with cleanup()),
    on top of `base` (another stack's address and logins)."""
    tag = f"{letter}{uuid.uuid4().hex[:10]}"
    env = {
        **(base or {}),
        "NEWSFLOW_TOPIC_PREFIX": f"{tag}.",
        "NEWSFLOW_INDEX_PREFIX": f"{tag}-",
        "NEWSFLOW_APP_ID": tag,
        "NEWSFLOW_WEB_PORT": "0",
        "NEWSFLOW_BULK_SECONDS": "0.5",
        "NEWSFLOW_TOPIC_PARTITIONS": "2",
    }
    return Names(Settings.from_env({**os.environ, **env}), env)


def cleanup(names: Names) -> None:
    settings = names.settings
    tag = names.env["NEWSFLOW_APP_ID"]
    from kafka.admin import KafkaAdminClient

    from streams.sinks.elasticsearch import sync_client

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        doomed = [t for t in admin.list_topics() if t.startswith(tag)]
        if doomed:
            admin.delete_topics(doomed)
    finally:
        admin.close()
    es = sync_client(settings)
    try:
        es.indices.delete(index=f"{tag}-*", ignore_unavailable=True, allow_no_indices=True)
        es.indices.delete_index_template(name=f"{tag}-*")
    except Exception:
        pass
    finally:
        es.close()


class Worker:
    """A `newsflow worker` subprocess with the test's names; stopped by its pid."""

    def __init__(self, names: Names, log: Path, name: str = "w1", extra_env: dict[str, str] | None = None):
        self.names = names
        self.log = log
        self.name = name
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.offset = 0

    def start(self, timeout: float = 120) -> Worker:
        env = {**os.environ, **self.names.env, **self.extra_env}
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streams.cli", "worker", "--name", self.name],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        wait_for(self._ready, timeout, f"worker {self.name} to be ready (log: {self.log})", 0.3)
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.tail()}")
        text = self.log.read_bytes()[self.offset :].decode("utf-8", "replace")
        return "Worker]: Ready" in text

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def kill(self) -> None:
        """SIGKILL: a crash, no clean shutdown, no final commit."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


@pytest.fixture
def worker_factory(names: Names, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def make(name: str = "w1", **extra_env: str) -> Worker:
        w = Worker(names, tmp_path / f"worker-{name}.log", name, extra_env)
        workers.append(w)
        return w

    yield make
    for w in workers:
        w.stop()
