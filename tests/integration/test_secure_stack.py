"""The pipeline against secured servers: `newsflow stack up --secure` on private ports (Kafka
SASL_SSL, Elasticsearch HTTPS with a login), the worker and every command through it, each
misconfiguration a user makes reported in one line, and no secret in anything they can read."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import ssl
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow_tools.stack.launcher import Stack
from newsflow_tools.stack.secure import SecureState
from streams import kafka_login
from streams.settings import Settings
from tests.conftest import ROOT, Names, Worker, new_names, wait_for
from tests.helpers import article, dead_letters, doc_count, free_ports, newsflow, send
from tests.helpers import distinct_articles as corpus


@dataclasses.dataclass
class Secured:
    stack: Stack
    env: dict[str, str]  # what a client of the secured stack sets: the env file and the ports
    secrets: list[str]  # every secret the stack made, none of which may ever be printed

    def names(self) -> Names:
        return new_names(self.env, letter="s")


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


@pytest.fixture(scope="module")
def secured() -> Iterator[Secured]:
    kafka_port, controller, es_port, transport = free_ports(4)
    base = Settings.from_env().home.resolve()
    # Under the session's home: its parents are searchable by Elasticsearch's account.
    home = base / "test-stacks" / f"secure-{uuid.uuid4().hex[:8]}"
    home.mkdir(parents=True)
    (base / "cache").mkdir(exist_ok=True)
    (home / "cache").symlink_to(base / "cache", target_is_directory=True)
    ports = {
        "NEWSFLOW_HOME": str(home),
        "NEWSFLOW_KAFKA_BOOTSTRAP": f"127.0.0.1:{kafka_port}",
        "NEWSFLOW_STACK_KAFKA_CONTROLLER_PORT": str(controller),
        "NEWSFLOW_ES_URL": f"http://127.0.0.1:{es_port}",
        "NEWSFLOW_STACK_ES_TRANSPORT_PORT": str(transport),
    }
    up = newsflow(ports, "stack", "up", "--secure", "--timeout", "240", timeout=400)
    stack = Stack(Settings.from_env({**os.environ, **ports}))
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        state = SecureState(home)
        made = state.load()
        client = {**ports, **read_env_file(state.env_file)}
        yield Secured(
            stack,
            client,
            [s for s in (made.es_password, made.kafka_password, made.broker_password, made.es_api_key) if s],
        )
    finally:
        stack.down(purge=True, echo=False)
        shutil.rmtree(home, ignore_errors=True)


def assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text, f"a secret appears in:\n{text[:2000]}"


def test_secure_up_makes_private_files_and_status_says_security_is_on(secured: Secured):
    state = secured.stack.secure_state
    assert stat.S_IMODE(state.dir.stat().st_mode) == 0o700
    for private in (state.env_file, state.secrets_file, state.server_key, state.ca_key):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    env = secured.env
    assert env["NEWSFLOW_ES_URL"].startswith("https://")
    assert env["NEWSFLOW_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"

    # Whatever the caller's environment says, the launcher reaches its secured servers.
    plain = {k: env[k] for k in env if k.startswith("NEWSFLOW_STACK") or k == "NEWSFLOW_HOME"}
    plain |= {"NEWSFLOW_KAFKA_BOOTSTRAP": env["NEWSFLOW_KAFKA_BOOTSTRAP"]}
    plain |= {"NEWSFLOW_ES_URL": env["NEWSFLOW_ES_URL"].replace("https", "http")}
    status = newsflow(plain, "stack", "status", "--json")
    text = newsflow(plain, "stack", "status")
    assert status.returncode == 0, status.stderr
    found = json.loads(status.stdout)
    assert found["security"]["enabled"] is True
    assert found["kafka"]["state"] == found["elasticsearch"]["state"] == "up"
    assert found["kafka"]["secured"] and found["elasticsearch"]["secured"]
    assert "security: on" in text.stdout
    before = state.secrets_file.read_text()
    again = newsflow(plain, "stack", "up")  # a second up keeps the secrets and says how to use them
    assert again.returncode == 0 and "already up" in again.stdout and "security: on" in again.stdout
    assert state.secrets_file.read_text() == before, "a second up changed the credentials"
    assert_no_secret([status.stdout, status.stderr, text.stdout, again.stdout, again.stderr], secured.secrets)


def test_the_pipeline_runs_through_tls_and_logins_and_prints_no_secret(secured: Secured, tmp_path):
    names = secured.names()
    worker = Worker(names, tmp_path / "worker.log", extra_env=names.env).start()
    outputs: list[str] = []
    try:
        feed_file = tmp_path / "feed.jsonl"
        articles = corpus(20, seed=11, host="secure.example")
        feed_file.write_bytes(b"\n".join([*articles, b'{"url": "https://secure.example/bad"}']) + b"\n")
        fed = newsflow(names.env, "feed", str(feed_file), "--quiet")
        assert fed.returncode == 0, fed.stderr
        assert "sent 21, failed 0" in fed.stdout
        wait_for(lambda: doc_count(names.settings) == 20, 120, "20 documents over HTTPS")
        wait_for(lambda: len(dead_letters(names.settings)) == 1, 60, "the bad article's dead letter")

        search = newsflow(names.env, "search", "river", "--json")
        dlq = newsflow(names.env, "dlq", "--json")
        alerts = newsflow(names.env, "alerts", "--json")
        for done in (search, dlq, alerts):
            assert done.returncode == 0, done.stderr
            outputs += [done.stdout, done.stderr]
        assert json.loads(dlq.stdout)[0]["error"]["code"] == "schema_violation"
        assert json.loads(search.stdout), "search over HTTPS found nothing"
        outputs += [fed.stdout, fed.stderr]
    finally:
        worker.stop()
    log = worker.log.read_text(errors="replace")
    assert "Authenticated as" in log  # aiokafka logged in with SASL
    assert "Traceback" not in log and "crashed" not in log.lower()
    settings = names.settings
    outputs += [log, repr(settings), json.dumps(settings.redacted()), json.dumps(dead_letters(settings))]
    assert_no_secret(outputs, secured.secrets)


def _run_all(
    cases: dict[str, tuple[dict[str, str], list[str]]], stdin: str = ""
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every case at once (each Kafka case waits out its client's 30 s bootstrap)."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "streams.cli", *args],
            env={**os.environ, **env},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (env, args) in cases.items()
    }
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(stdin, timeout=180)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


WRONG = "not-the-password-4242"


def test_the_login_probe_reads_the_brokers_verdict_that_kafka_python_can_miss(secured: Secured):
    """After a wrong password the broker answers and hangs up; kafka-python sometimes sees only
    the hang-up and times out. The CLI then asks the broker itself: that answer must be right."""
    settings = secured.names().settings
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    host, port = settings.kafka_host, settings.kafka_port
    right = kafka_login.probe(host, port, "newsflow", settings.kafka_sasl_password, context)
    wrong = kafka_login.probe(host, port, "newsflow", WRONG, context)
    stranger = kafka_login.probe(host, port, "nobody", WRONG, context)
    without_tls = kafka_login.probe(host, port, "newsflow", settings.kafka_sasl_password, None)
    assert right.verdict is kafka_login.Verdict.ACCEPTED, right
    assert wrong.verdict is stranger.verdict is kafka_login.Verdict.REFUSED, (wrong, stranger)
    assert "Invalid username or password" in wrong.detail, wrong
    assert without_tls.verdict is kafka_login.Verdict.UNKNOWN, without_tls
    # Many wrong logins at once, as in a test run or a cluster of misconfigured crawlers.
    verdicts = {kafka_login.probe(host, port, "newsflow", WRONG, context).verdict for _ in range(20)}
    assert verdicts == {kafka_login.Verdict.REFUSED}


def test_each_misconfiguration_gives_one_clear_line_naming_server_variable_and_fix(
    secured: Secured, tmp_path
):
    names = secured.names()
    env = names.env
    other_ca = tmp_path / "other-ca.pem"
    from newsflow_tools.stack import secure

    other = SecureState(tmp_path / "other")
    other.dir.mkdir(parents=True)
    secure._issue_certificates(other, ["127.0.0.1"])
    shutil.copy(other.ca_cert, other_ca)
    es_plain = env["NEWSFLOW_ES_URL"].replace("https://", "http://")
    es_host = env["NEWSFLOW_ES_URL"].removeprefix("https://")
    feed = ["feed", "-", "--quiet"]
    search = ["search", "river"]
    # case: (environment changes, command, what the line must say, the variable it names)
    cases = {
        "es wrong password": (
            {"NEWSFLOW_ES_PASSWORD": WRONG},
            search,
            "refused the credentials (401)",
            "NEWSFLOW_ES_PASSWORD",
        ),
        "es invalid API key": (
            {"NEWSFLOW_ES_API_KEY": "aWQ6bm90LWEta2V5"},
            search,
            "refused the credentials (401)",
            "NEWSFLOW_ES_API_KEY",
        ),
        "es password in the URL": (
            {
                "NEWSFLOW_ES_URL": f"https://newsflow:{WRONG}@{es_host}",
                "NEWSFLOW_ES_USERNAME": "",
                "NEWSFLOW_ES_PASSWORD": "",
            },
            search,
            "newsflow:***@",
            "NEWSFLOW_ES_PASSWORD",
        ),
        "es untrusted CA": (
            {"NEWSFLOW_ES_CA_CERTS": str(other_ca)},
            search,
            "presents a certificate",
            "NEWSFLOW_ES_CA_CERTS",
        ),
        "es plain http to https": (
            {"NEWSFLOW_ES_URL": es_plain, "NEWSFLOW_ES_CA_CERTS": ""},
            search,
            "speaks HTTPS, not HTTP",
            "NEWSFLOW_ES_URL",
        ),
        "kafka wrong password": (
            {"NEWSFLOW_KAFKA_SASL_PASSWORD": WRONG},
            feed,
            "refused the login of 'newsflow'",
            "NEWSFLOW_KAFKA_SASL_PASSWORD",
        ),
        "kafka untrusted CA": (
            {"NEWSFLOW_KAFKA_SSL_CAFILE": str(other_ca)},
            feed,
            "presents a certificate",
            "NEWSFLOW_KAFKA_SSL_CAFILE",
        ),
        "kafka plaintext to TLS": (
            {"NEWSFLOW_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"},
            feed,
            "speaks TLS but",
            "NEWSFLOW_KAFKA_SECURITY_PROTOCOL",
        ),
        "worker wrong kafka password": (
            {"NEWSFLOW_KAFKA_SASL_PASSWORD": WRONG},
            ["worker"],
            "refused the login of 'newsflow'",
            "NEWSFLOW_KAFKA_SASL_PASSWORD",
        ),
    }
    t0 = time.monotonic()
    done = _run_all(
        {name: ({**env, **change}, args) for name, (change, args, _, _) in cases.items()},
        stdin=article("https://secure.example/x", "River council budget.").decode() + "\n",
    )
    elapsed = time.monotonic() - t0
    for name, (_change, _args, says, variable) in cases.items():
        result = done[name]
        lines = result.stderr.strip().splitlines()
        assert result.returncode != 0, f"{name}: exit 0\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{name}:\n{result.stderr}"
        report = [line for line in lines if line.startswith("newsflow ")]
        assert len(report) == 1 and says in report[0], f"{name}: {result.stderr}"
        assert variable in report[0] and "fix: " in result.stderr, f"{name}: {result.stderr}"
        assert_no_secret([result.stdout, result.stderr], [*secured.secrets, WRONG])
        print(f"{name}: {report[0]}")
    assert elapsed < 170, f"the cases took {elapsed:.0f} s"


def test_a_worker_refused_by_elasticsearch_waits_says_so_and_loses_nothing(secured: Secured, tmp_path):
    names = secured.names()
    wrong = {**names.env, "NEWSFLOW_ES_PASSWORD": WRONG}
    worker = Worker(names, tmp_path / "worker.log", extra_env=wrong).start()
    try:
        send(names.settings, corpus(15, seed=12, host="refused.example"))

        def refusals() -> int:
            return worker.log.read_text(errors="replace").count("refused the credentials (HTTP 401)")

        wait_for(lambda: refusals() >= 3, 120, "the worker to retry the refused login three times")
        assert worker.proc is not None and worker.proc.poll() is None, "the worker died"
        assert dead_letters(names.settings) == [], "refused writes were dead-lettered"
    finally:
        worker.stop()
    log = worker.log.read_text(errors="replace")
    assert "NEWSFLOW_ES_PASSWORD" in log and "nothing is skipped meanwhile" in log
    assert_no_secret([log], [*secured.secrets, WRONG])

    # The operator fixes the password and restarts it: every article arrives, none twice.
    fixed = Worker(names, tmp_path / "worker-fixed.log", extra_env=names.env).start()
    try:
        wait_for(lambda: doc_count(names.settings) == 15, 120, "the 15 articles after the fix")
        assert dead_letters(names.settings) == []
    finally:
        fixed.stop()
