"""`newsflow stack up | down | status`: the local Kafka + Elasticsearch, started and stopped by pid."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newsflow_tools.stack import artifacts, elasticsearch, kafka, process
from newsflow_tools.stack.java import find_jdk
from newsflow_tools.stack.secure import API_KEY_NAME, ES_USER, KAFKA_USER, SecureState, write_private
from streams.settings import Settings

KAFKA_MIN_JAVA = 17
ES_MIN_JAVA = 21


class StackError(RuntimeError):
    """The stack could not be started or stopped; the message says what and how to fix it."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str  # "up" | "down" | "starting" (process alive, not answering yet)
    pid: int | None
    address: str
    port: int
    version: str | None
    secured: bool = False  # TLS and a login required (`stack up --secure`)


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home.resolve()
        self.kafka_root = self.home / "kafka"
        self.es_root = self.home / "elasticsearch"
        self.workers_root = settings.workers_home.resolve()
        self.secure_state = SecureState(self.home)

    @property
    def secured(self) -> bool:
        return self.secure_state.enabled

    @property
    def probe_settings(self) -> Settings:
        """How the launcher reaches its own servers: as configured, or over TLS with the stack's
        own credentials once it is secured (whatever the caller's environment says)."""
        if self.secured:
            return self.secure_state.admin_settings(self.settings)
        return self.settings

    # -- paths -------------------------------------------------------------------------
    @property
    def kafka_pidfile(self) -> Path:
        return self.kafka_root / "kafka.pid"

    @property
    def es_pidfile(self) -> Path:
        return self.es_root / "elasticsearch.pid"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Two `up`s at once (a test session and a demo) must not start two brokers.
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / "stack.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    # -- probes ------------------------------------------------------------------------
    def kafka_answers(self) -> bool:
        s = self.probe_settings
        if not process.port_open(s.kafka_host, s.kafka_port):
            return False
        from kafka import KafkaAdminClient  # deferred: slow import, only needed here

        try:
            admin = KafkaAdminClient(
                bootstrap_servers=s.kafka_bootstrap,
                request_timeout_ms=3000,
                **s.kafka_client_options(),
            )
        except Exception:
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except Exception:
            return False
        finally:
            admin.close()

    def es_version(self) -> str | None:
        """The node's version once the cluster is at least yellow, else None.

        The bare integ-test-zip lacks the rest-root module, so `GET /` answers 405 there;
        `_nodes/_local` is in the server itself and works on every distribution.
        """
        try:
            health = self._es("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s")
            if health.get("status") not in {"yellow", "green"}:
                return None
            nodes = self._es("GET", "/_nodes/_local?filter_path=nodes.*.version").get("nodes", {})
            return next((str(n["version"]) for n in nodes.values()), None)
        except (OSError, ValueError, KeyError):
            return None

    def _es(
        self, method: str, path: str, body: dict[str, object] | None = None, api_key: str = ""
    ) -> dict[str, Any]:
        """One JSON request to the local node, with TLS and the node's user when secured."""
        s = self.probe_settings
        request = urllib.request.Request(
            s.es_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        context = None
        if s.es_url.startswith("https://"):
            context = ssl.create_default_context(cafile=s.es_ca_certs or None)
            if api_key:
                request.add_header("Authorization", f"ApiKey {api_key}")
            else:
                token = base64.b64encode(f"{s.es_username}:{s.es_password}".encode()).decode()
                request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=3, context=context) as r:
            answer: dict[str, Any] = json.load(r)
        return answer

    def _ensure_api_key(self) -> str | None:
        """The pipeline's API key: the saved one while the node accepts it, else a new one.
        None, with the reason, when this node cannot keep API keys at all: they live in the
        `.security` index, whose mapping needs the analysis-common module, and the zip Maven
        serves (the integration-test distribution) lacks it. Clients then log in as the user."""
        saved = self.secure_state.load().es_api_key
        if saved:
            try:
                self._es("GET", "/_security/_authenticate", api_key=saved)
                return None
            except urllib.error.HTTPError as exc:
                if exc.code != 401:
                    raise
        try:
            made = self._es("POST", "/_security/api_key", {"name": API_KEY_NAME})
        except urllib.error.HTTPError as exc:
            reason = exc.read().decode("utf-8", "replace")
            if exc.code == 400 and "pattern_capture" in reason:
                self.secure_state.save_api_key("")
                return (
                    "this Elasticsearch distribution cannot store API keys (its .security index "
                    "needs the analysis-common module, which the zip from Maven lacks); clients "
                    f"log in as the user '{ES_USER}' instead"
                )
            raise
        self.secure_state.save_api_key(str(made["encoded"]))
        return None

    # -- commands ----------------------------------------------------------------------
    def up(self, *, timeout: float = 180.0, echo: bool = True, secure: bool = False) -> list[ServiceStatus]:
        with self._locked():
            say = print if echo else (lambda *_a, **_k: None)
            s = self.settings
            pom = artifacts.find_pom()
            versions = artifacts.pinned_versions(pom)
            started: list[tuple[str, int]] = []
            kafka_pid = process.read_pid(self.kafka_pidfile)
            es_pid = process.read_pid(self.es_pidfile)
            if secure and not self.secured and (kafka_pid or es_pid):
                raise StackError(
                    f"the stack under {self.home} runs without security; stop it with "
                    "`newsflow stack down` and run `newsflow stack up --secure` again"
                )
            if secure and not self.secured:
                say(f"security: making a CA, a server certificate and passwords in {self.secure_state.dir}")
            found = self.secure_state.create([s.kafka_host, s.es_host]) if secure or self.secured else None
            st = self.secure_state
            if kafka_pid is None:
                self._refuse_taken_port("Kafka", s.kafka_host, s.kafka_port, "NEWSFLOW_KAFKA_BOOTSTRAP")
                self._refuse_taken_port(
                    "the Kafka controller",
                    s.kafka_host,
                    s.stack_kafka_controller_port,
                    "NEWSFLOW_STACK_KAFKA_CONTROLLER_PORT",
                )
            if es_pid is None:
                self._refuse_taken_port("Elasticsearch", s.es_host, s.es_port, "NEWSFLOW_ES_URL")
                self._refuse_taken_port(
                    "the Elasticsearch transport",
                    s.es_host,
                    s.stack_es_transport_port,
                    "NEWSFLOW_STACK_ES_TRANSPORT_PORT",
                )
            try:
                if kafka_pid is None:
                    jdk = find_jdk(KAFKA_MIN_JAVA, "Kafka", s.java_home)
                    say(
                        f"kafka: fetching {versions.kafka} (cached after the first time) ...",
                        flush=True,
                    )
                    libs = artifacts.kafka_libs(pom, self.home, versions.kafka)
                    kafka.prepare(
                        root=self.kafka_root,
                        libs=libs,
                        jdk=jdk,
                        host=s.kafka_host,
                        port=s.kafka_port,
                        controller_port=s.stack_kafka_controller_port,
                        sasl=None
                        if found is None
                        else kafka.Sasl(
                            keystore=self._kafka_keystore(),
                            truststore=st.ca_cert.resolve(),
                            broker_password=found.broker_password,
                            users={KAFKA_USER: found.kafka_password},
                        ),
                    )
                    kafka_pid = process.spawn(
                        kafka.command(root=self.kafka_root, libs=libs, jdk=jdk),
                        env=dict(os.environ),
                        log=self.kafka_root / "logs" / "stdout.log",
                        pidfile=self.kafka_pidfile,
                    )
                    (self.kafka_root / "version").write_text(versions.kafka)
                    started.append(("kafka", kafka_pid))
                    say(f"kafka: starting pid {kafka_pid} with Java {jdk.major}", flush=True)
                if es_pid is None:
                    jdk = find_jdk(ES_MIN_JAVA, "Elasticsearch", s.java_home)
                    say(
                        f"elasticsearch: fetching {versions.elasticsearch} (cached after the first time) ...",
                        flush=True,
                    )
                    es_home = artifacts.elasticsearch_home(pom, self.home, versions.elasticsearch)
                    user = elasticsearch.run_as()
                    elasticsearch.prepare(
                        root=self.es_root,
                        es_home=es_home,
                        host=s.es_host,
                        port=s.es_port,
                        transport_port=s.stack_es_transport_port,
                        user=user,
                        jdk=jdk,
                        security=None
                        if found is None
                        else elasticsearch.Security(
                            ca=st.ca_cert,
                            certificate=st.server_cert,
                            key=st.server_key,
                            user=ES_USER,
                            password=found.es_password,
                        ),
                    )
                    es_pid = process.spawn(
                        elasticsearch.command(es_home),
                        env=elasticsearch.environment(root=self.es_root, jdk=jdk, heap=s.stack_es_heap),
                        log=self.es_root / "logs" / "stdout.log",
                        pidfile=self.es_pidfile,
                        user=user.uid if user else None,
                        group=user.gid if user else None,
                    )
                    started.append(("elasticsearch", es_pid))
                    who = f" as user {user.name}" if user else ""
                    say(f"elasticsearch: starting pid {es_pid} with Java {jdk.major}{who}", flush=True)
            except BaseException:
                # A later step failed (a download, the Elasticsearch account, a JDK): stop what
                # this call already started, so a failed `up` leaves nothing running.
                for name, _pid in started:
                    process.stop(self.kafka_pidfile if name == "kafka" else self.es_pidfile)
                raise
            t0 = time.monotonic()
            try:
                process.wait_all(
                    [
                        process.Pending(
                            "Kafka",
                            self.kafka_answers,
                            kafka_pid,
                            self.kafka_root / "logs" / "stdout.log",
                        ),
                        process.Pending(
                            "Elasticsearch",
                            lambda: self.es_version() is not None,
                            es_pid,
                            self.es_root / "logs" / "stdout.log",
                        ),
                    ],
                    timeout=timeout,
                )
            except RuntimeError as exc:
                for name, _pid in started:
                    process.stop(self.kafka_pidfile if name == "kafka" else self.es_pidfile)
                raise StackError(str(exc)) from None
            if started:
                say(f"ready in {time.monotonic() - t0:.1f}s", flush=True)
            else:
                say("already up", flush=True)
            if found is not None:
                without_key = self._ensure_api_key()
                if without_key:
                    say(f"security: {without_key}", flush=True)
                env_file = st.write_env(s)
                say(
                    "security: on (TLS and login on Kafka and Elasticsearch); point clients at it "
                    f"with: set -a; . {env_file}; set +a",
                    flush=True,
                )
            statuses = self.status()
            for status in statuses:
                say(f"{status.name}: {status.address} (version {status.version}, pid {status.pid})")
            return statuses

    def _kafka_keystore(self) -> Path:
        """Kafka's PEM key store: the private key followed by the certificate chain, one file."""
        st = self.secure_state
        keystore = self.kafka_root / "config" / "keystore.pem"
        keystore.parent.mkdir(parents=True, exist_ok=True)
        write_private(keystore, st.server_key.read_bytes() + st.server_cert.read_bytes())
        return keystore

    def _refuse_taken_port(self, what: str, host: str, port: int, variable: str) -> None:
        if process.port_open(host, port):
            raise StackError(
                f"port {port} on {host} for {what} is already taken by a process newsflow did not "
                f"start; stop that process or choose another port with {variable}"
            )

    def down(self, *, purge: bool = False, echo: bool = True) -> None:
        with self._locked():
            for name, pidfile in (
                ("elasticsearch", self.es_pidfile),
                ("kafka", self.kafka_pidfile),
            ):
                was = process.stop(pidfile)
                if echo:
                    print(f"{name}: {'stopped' if was else 'not running'}")
            if purge:
                # Workers' table stores describe Kafka data that is gone with it: a worker
                # started on the fresh broker must rebuild them, not trust them.
                for root in (self.kafka_root, self.es_root, self.workers_root, self.secure_state.dir):
                    shutil.rmtree(root, ignore_errors=True)
                self.secure_state.env_file.unlink(missing_ok=True)
                if echo:
                    print(
                        f"purged Kafka, Elasticsearch, worker table data and credentials under {self.home} "
                        f"(downloads kept in {self.home / 'dist'})"
                    )

    def status(self) -> list[ServiceStatus]:
        s = self.probe_settings
        secured = self.secured
        kafka_pid = process.read_pid(self.kafka_pidfile)
        kafka_up = self.kafka_answers()
        kafka_version_file = self.kafka_root / "version"
        kafka_version = kafka_version_file.read_text().strip() if kafka_version_file.is_file() else None
        es_version = self.es_version()
        es_pid = process.read_pid(self.es_pidfile)

        def state(up: bool, pid: int | None) -> str:
            return "up" if up else ("starting" if pid else "down")

        return [
            ServiceStatus(
                "kafka",
                state(kafka_up, kafka_pid),
                kafka_pid,
                s.kafka_bootstrap,
                s.kafka_port,
                kafka_version if kafka_up else None,
                secured,
            ),
            ServiceStatus(
                "elasticsearch",
                state(es_version is not None, es_pid),
                es_pid,
                s.es_url,
                s.es_port,
                es_version,
                secured,
            ),
        ]


def status_json(statuses: list[ServiceStatus], stack: Stack) -> str:
    """Each service's status and whether security is on; never a secret, only where they are."""
    out: dict[str, object] = {st.name: asdict(st) for st in statuses}
    state = stack.secure_state
    out["security"] = {
        "enabled": stack.secured,
        "env_file": str(state.env_file) if stack.secured else None,
        "ca": str(state.ca_cert) if stack.secured else None,
    }
    return json.dumps(out, indent=2)
