"""When a client only says "timed out" or "connection lost", find out why: look at what the
client logged on the way (kafka-python logs the real cause of each failed connection and then
raises a bare timeout), and knock on the server's port with and without TLS.

Used by the CLI's error report and the worker's start; probes run only after a failure.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streams.cli_errors import Problem
from streams.kafka_login import Login, Verdict
from streams.kafka_login import probe as login_probe
from streams.settings import Settings, masked

PROBE_SECONDS = 3.0


@dataclass
class Seen:
    """Exceptions a client library logged while the command ran (it often raises something vaguer)."""

    errors: list[BaseException] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self, seen: Seen) -> None:
        super().__init__(logging.WARNING)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.seen.errors.extend(a for a in args if isinstance(a, BaseException))


@contextlib.contextmanager
def watching() -> Iterator[Seen]:
    """Collect the exceptions kafka-python logs inside the block."""
    seen = Seen()
    handler = _Collector(seen)
    logger = logging.getLogger("kafka")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


def tls_probe(host: str, port: int, cafile: str | None) -> str:
    """'closed' (nothing listens), 'plain' (no TLS spoken there), 'ok' (TLS, certificate
    trusted), or the verification failure ('untrusted: ...')."""
    try:
        raw = socket.create_connection((host, port), timeout=PROBE_SECONDS)
    except OSError:
        return "closed"
    context = ssl.create_default_context(cafile=cafile or None)
    try:
        with context.wrap_socket(raw, server_hostname=host):
            return "ok"
    except ssl.SSLCertVerificationError as exc:
        return f"untrusted: {exc.verify_message}"
    except (ssl.SSLError, OSError):
        return "plain"
    finally:
        raw.close()


def _is_auth_failure(exc: BaseException) -> bool:
    from kafka.errors import SaslAuthenticationFailedError

    return isinstance(exc, SaslAuthenticationFailedError)


def kafka_problem(settings: Settings, seen: Seen | None) -> Problem | None:
    """The reason a Kafka client could not bootstrap, when it is a security mismatch."""
    where = settings.kafka_bootstrap
    host, port = settings.kafka_host, settings.kafka_port
    protocol = settings.kafka_security_protocol
    failures = seen.errors if seen is not None else []
    refused = next((e for e in failures if _is_auth_failure(e)), None)
    if refused is not None:
        return _login_refused(settings, str(refused))
    uses_tls = protocol in {"SSL", "SASL_SSL"}
    found = tls_probe(host, port, settings.kafka_ssl_cafile if uses_tls else None)
    if found == "closed":
        return None
    if found == ("ok" if uses_tls else "plain"):
        # The transport is right; the client may still have missed a refused login.
        login = _login_probe(settings, uses_tls)
        return _login_refused(settings, login.detail) if login.verdict is Verdict.REFUSED else None
    if not uses_tls and found != "plain":
        return Problem(
            "kafka",
            where,
            f"Kafka at {where} speaks TLS but NEWSFLOW_KAFKA_SECURITY_PROTOCOL={protocol}",
            "NEWSFLOW_KAFKA_SECURITY_PROTOCOL",
            "set NEWSFLOW_KAFKA_SECURITY_PROTOCOL=SASL_SSL (or SSL), NEWSFLOW_KAFKA_SSL_CAFILE and "
            "the SASL user (`newsflow stack up --secure` writes them to $NEWSFLOW_HOME/secure.env)",
        )
    if uses_tls and found.startswith("untrusted"):
        return _untrusted("kafka", where, found, settings.kafka_ssl_cafile, "NEWSFLOW_KAFKA_SSL_CAFILE")
    if uses_tls and found == "plain":
        return Problem(
            "kafka",
            where,
            f"Kafka at {where} does not speak TLS but NEWSFLOW_KAFKA_SECURITY_PROTOCOL={protocol}",
            "NEWSFLOW_KAFKA_SECURITY_PROTOCOL",
            "use PLAINTEXT or SASL_PLAINTEXT for this listener, or the broker's TLS port",
        )
    return None


def _login_refused(settings: Settings, detail: str) -> Problem:
    where = settings.kafka_bootstrap
    return Problem(
        "kafka",
        where,
        f"Kafka at {where} refused the login of '{settings.kafka_sasl_username}' "
        f"({settings.kafka_sasl_mechanism or 'PLAIN'}): {detail}",
        "NEWSFLOW_KAFKA_SASL_USERNAME/NEWSFLOW_KAFKA_SASL_PASSWORD",
        "set the SASL user and password (and NEWSFLOW_KAFKA_SASL_MECHANISM) this cluster knows",
    )


def _login_probe(settings: Settings, uses_tls: bool) -> Login:
    """Log in once ourselves (SASL/PLAIN only), reading the broker's answer to the end."""
    if settings.kafka_sasl_mechanism.upper() != "PLAIN":
        return Login(Verdict.UNKNOWN, "only SASL/PLAIN logins are probed")
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None) if uses_tls else None
    return login_probe(
        settings.kafka_host,
        settings.kafka_port,
        settings.kafka_sasl_username,
        settings.kafka_sasl_password,
        context,
        PROBE_SECONDS,
    )


def _untrusted(service: str, where: str, found: str, cafile: str, variable: str) -> Problem:
    """The server's certificate is not signed by the CA the client was given."""
    name = {"kafka": "Kafka", "elasticsearch": "Elasticsearch"}[service]
    ca = cafile or "the system's CAs"
    return Problem(
        service,
        where,
        f"{name} at {where} presents a certificate {ca} does not vouch for "
        f"({found.removeprefix('untrusted: ')})",
        variable,
        f"point {variable} at the CA that signed the server's certificate",
    )


def elasticsearch_problem(settings: Settings) -> Problem | None:
    """The reason Elasticsearch could not be reached, when it is TLS: plain HTTP against an
    HTTPS port, or a certificate the configured CA does not vouch for."""
    url = settings.es_url
    where = masked(url)
    https = urlsplit(url).scheme == "https"
    found = tls_probe(settings.es_host, settings.es_port, settings.es_ca_certs if https else None)
    if not https and found not in {"closed", "plain"}:
        return Problem(
            "elasticsearch",
            where,
            f"Elasticsearch at {where} speaks HTTPS, not HTTP",
            "NEWSFLOW_ES_URL",
            f"set NEWSFLOW_ES_URL=https://{settings.es_host}:{settings.es_port}, NEWSFLOW_ES_CA_CERTS "
            "and a login (`newsflow stack up --secure` writes them to $NEWSFLOW_HOME/secure.env)",
        )
    if https and found.startswith("untrusted"):
        return _untrusted("elasticsearch", where, found, settings.es_ca_certs, "NEWSFLOW_ES_CA_CERTS")
    if https and found == "plain":
        return Problem(
            "elasticsearch",
            where,
            f"Elasticsearch at {where} does not speak HTTPS",
            "NEWSFLOW_ES_URL",
            f"set NEWSFLOW_ES_URL=http://{settings.es_host}:{settings.es_port}, or use its HTTPS port",
        )
    return None


def problem(exc: BaseException, settings: Settings, seen: Seen | None = None) -> Problem | None:
    """A precise Problem for a connection-level failure, or None to keep the generic one."""
    import elastic_transport as et
    import kafka.errors as ke

    if isinstance(exc, et.ConnectionError | et.TlsError):
        return elasticsearch_problem(settings)
    if isinstance(exc, ke.KafkaTimeoutError | ke.KafkaConnectionError | ke.BrokerNotAvailableError):
        return kafka_problem(settings, seen)
    return None
