"""diagnose: what a port speaks (nothing, plain, TLS with a trusted or an untrusted certificate),
and which line a user reads for each mismatch, on loopback sockets of our own (no services)."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow_tools.stack.secure import SecureState, _issue_certificates
from streams import diagnose
from streams.settings import Settings
from tests.helpers import free_ports


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[SecureState, SecureState]:
    """Our CA and server certificate, and another CA that signed nothing of ours."""
    made = []
    for name in ("ours", "other"):
        state = SecureState(tmp_path_factory.mktemp(name))
        state.dir.mkdir()
        _issue_certificates(state, ["127.0.0.1"])
        made.append(state)
    return made[0], made[1]


@contextlib.contextmanager
def server(tls: SecureState | None) -> Iterator[int]:
    """A loopback listener that accepts connections (and does a TLS handshake if given a cert)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.server_cert, tls.server_key)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(OSError, ssl.SSLError):
                conn.settimeout(2)
                if context is not None:
                    conn = context.wrap_socket(conn, server_side=True)
                    conn.recv(1)
                else:
                    conn.recv(4096)  # a plain server reads the ClientHello and hangs up
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_tls_probe_tells_closed_plain_trusted_and_untrusted_apart(pki):
    ours, other = pki
    (closed,) = free_ports(1)
    assert diagnose.tls_probe("127.0.0.1", closed, None) == "closed"
    with server(None) as port:
        assert diagnose.tls_probe("127.0.0.1", port, str(ours.ca_cert)) == "plain"
    with server(ours) as port:
        assert diagnose.tls_probe("127.0.0.1", port, str(ours.ca_cert)) == "ok"
        untrusted = diagnose.tls_probe("127.0.0.1", port, str(other.ca_cert))
        assert untrusted.startswith("untrusted: ") and "certificate" in untrusted


def _settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_each_mismatch_names_its_variable(pki):
    ours, other = pki
    with server(ours) as tls_port:
        plain_kafka = diagnose.kafka_problem(
            _settings(NEWSFLOW_KAFKA_BOOTSTRAP=f"127.0.0.1:{tls_port}"), None
        )
        assert plain_kafka is not None and plain_kafka.variable == "NEWSFLOW_KAFKA_SECURITY_PROTOCOL"
        assert "speaks TLS" in plain_kafka.message
        untrusted = diagnose.kafka_problem(
            _settings(
                NEWSFLOW_KAFKA_BOOTSTRAP=f"127.0.0.1:{tls_port}",
                NEWSFLOW_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
                NEWSFLOW_KAFKA_SSL_CAFILE=str(other.ca_cert),
            ),
            None,
        )
        assert untrusted is not None and untrusted.variable == "NEWSFLOW_KAFKA_SSL_CAFILE"
        http = diagnose.elasticsearch_problem(_settings(NEWSFLOW_ES_URL=f"http://127.0.0.1:{tls_port}"))
        assert http is not None and "speaks HTTPS" in http.message and http.variable == "NEWSFLOW_ES_URL"
        trusted = diagnose.elasticsearch_problem(
            _settings(NEWSFLOW_ES_URL=f"https://127.0.0.1:{tls_port}", NEWSFLOW_ES_CA_CERTS=str(ours.ca_cert))
        )
        assert trusted is None  # TLS is fine there: the generic message stays
    with server(None) as plain_port:
        https = diagnose.elasticsearch_problem(_settings(NEWSFLOW_ES_URL=f"https://127.0.0.1:{plain_port}"))
        assert https is not None and "does not speak HTTPS" in https.message
        assert (
            diagnose.kafka_problem(_settings(NEWSFLOW_KAFKA_BOOTSTRAP=f"127.0.0.1:{plain_port}"), None)
            is None
        )


def test_a_refused_login_logged_by_the_client_is_found_behind_its_timeout():
    from kafka.errors import SaslAuthenticationFailedError

    (port,) = free_ports(1)
    with diagnose.watching() as seen:
        logging.getLogger("kafka.net.connection").error(
            "%s: Connection lost: %s", "<conn>", SaslAuthenticationFailedError("Invalid username or password")
        )
    found = diagnose.kafka_problem(
        _settings(
            NEWSFLOW_KAFKA_BOOTSTRAP=f"127.0.0.1:{port}",
            NEWSFLOW_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            NEWSFLOW_KAFKA_SASL_USERNAME="newsflow",
        ),
        seen,
    )
    assert found is not None and "refused the login of 'newsflow'" in found.message
    assert found.variable is not None and "NEWSFLOW_KAFKA_SASL_PASSWORD" in found.variable


def test_a_ca_with_a_plain_url_is_refused_at_start(tmp_path: Path):
    from streams.settings import SettingsError

    with pytest.raises(SettingsError, match="NEWSFLOW_ES_CA_CERTS is set but NEWSFLOW_ES_URL"):
        _settings(NEWSFLOW_ES_URL="http://127.0.0.1:9200", NEWSFLOW_ES_CA_CERTS=str(tmp_path / "ca.pem"))
    with pytest.raises(SettingsError, match=r"newsflow:\*\*\*@"):
        _settings(NEWSFLOW_ES_URL="http://newsflow:hunter2@127.0.0.1:9200", NEWSFLOW_ES_CA_CERTS="x")
