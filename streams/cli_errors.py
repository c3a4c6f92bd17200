"""What a CLI user reads when Kafka or Elasticsearch does not answer or refuses: the server, the
setting to check and the fix, in a line or two instead of a traceback (pure: exception -> text)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit, urlunsplit

from streams.settings import Settings


@dataclass(frozen=True)
class Problem:
    service: str  # "elasticsearch", "kafka" or "newsflow"
    address: str
    message: str
    variable: str | None
    fix: str

    def lines(self, command: str) -> str:
        setting = f" (check {self.variable})" if self.variable else ""
        return f"newsflow {command}: {self.message}{setting}\n  fix: {self.fix}"

    def to_json(self) -> dict[str, object]:
        return {"error": asdict(self)}


def masked(url: str) -> str:
    """A URL without the password it may carry (https://user:***@host)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username}:***@{host}", parts.path, parts.query, ""))


def _short(exc: BaseException | str) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return (text[:200] + "...") if len(text) > 200 else text


def explain(exc: BaseException, settings: Settings) -> Problem | None:
    """The Problem behind an exception from a client library, or None when it is something else."""
    es = _elasticsearch(exc, settings)
    if es is not None:
        return es
    return _kafka(exc, settings)


def _elasticsearch(exc: BaseException, settings: Settings) -> Problem | None:
    import elastic_transport
    import elasticsearch

    url = masked(settings.es_url)

    def problem(message: str, variable: str | None, fix: str) -> Problem:
        return Problem("elasticsearch", url, message, variable, fix)

    if isinstance(exc, elastic_transport.TlsError):
        return problem(
            f"TLS with Elasticsearch at {url} failed: {_short(exc)}",
            "NEWSFLOW_ES_CA_CERTS",
            "point NEWSFLOW_ES_CA_CERTS at the CA that signed the server's certificate",
        )
    if isinstance(exc, elastic_transport.ConnectionError | elastic_transport.ConnectionTimeout):
        return problem(
            f"Elasticsearch at {url} does not answer ({type(exc).__name__})",
            "NEWSFLOW_ES_URL",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_ES_URL to where it runs",
        )
    if isinstance(exc, elasticsearch.AuthenticationException):
        return problem(
            f"Elasticsearch at {url} refused the credentials (401)",
            "NEWSFLOW_ES_API_KEY or NEWSFLOW_ES_USERNAME/NEWSFLOW_ES_PASSWORD",
            "set a valid API key, or a user and password, for this cluster",
        )
    if isinstance(exc, elasticsearch.AuthorizationException):
        return problem(
            f"Elasticsearch at {url} does not allow this (403): {_short(exc.message)}",
            "NEWSFLOW_ES_API_KEY or NEWSFLOW_ES_USERNAME",
            "grant the user read access to the newsflow indices, or use another key",
        )
    if isinstance(exc, elasticsearch.NotFoundError):
        return problem(
            f"nothing to read at {url}: {_short(exc.message)}",
            "NEWSFLOW_INDEX_PREFIX",
            "start a worker (it creates the index) and feed articles, or check the prefix",
        )
    if isinstance(exc, elasticsearch.ApiError):
        return problem(
            f"Elasticsearch at {url} answered HTTP {exc.meta.status}: {_short(exc.message)}",
            None,
            "see the Elasticsearch log; retry when the cluster is healthy",
        )
    return None


def _kafka(exc: BaseException, settings: Settings) -> Problem | None:
    import kafka.errors

    where = settings.kafka_bootstrap

    def problem(message: str, variable: str | None, fix: str) -> Problem:
        return Problem("kafka", where, message, variable, fix)

    if isinstance(exc, kafka.errors.KafkaConnectionError | kafka.errors.BrokerNotAvailableError):
        return problem(
            f"Kafka at {where} does not answer ({type(exc).__name__})",
            "NEWSFLOW_KAFKA_BOOTSTRAP",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_KAFKA_BOOTSTRAP to the brokers",
        )
    if isinstance(exc, kafka.errors.SaslAuthenticationFailedError):
        return problem(
            f"Kafka at {where} refused the login: {_short(exc)}",
            "NEWSFLOW_KAFKA_SASL_USERNAME/NEWSFLOW_KAFKA_SASL_PASSWORD",
            "set the SASL user and password (and NEWSFLOW_KAFKA_SASL_MECHANISM) of this cluster",
        )
    if isinstance(exc, kafka.errors.AuthorizationError):
        return problem(
            f"Kafka at {where} does not allow this: {_short(exc)}",
            "NEWSFLOW_KAFKA_SASL_USERNAME",
            "grant the user access to the newsflow topics and group (ACLs), or use another user",
        )
    if isinstance(exc, kafka.errors.KafkaTimeoutError):
        return problem(
            f"Kafka at {where} does not answer in time: {_short(exc)}",
            "NEWSFLOW_KAFKA_BOOTSTRAP",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_KAFKA_BOOTSTRAP to reachable brokers",
        )
    if isinstance(exc, kafka.errors.KafkaError):
        return problem(
            f"Kafka at {where} failed the request: {type(exc).__name__}: {_short(exc)}",
            None,
            "see the broker's log; retry when it is healthy",
        )
    return None
