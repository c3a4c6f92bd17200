"""What a CLI user reads when Kafka or Elasticsearch does not answer or refuses: the server, the
setting to check and the fix, in a line or two instead of a traceback (pure: exception -> text)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from streams.settings import Settings, masked


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


def _short(exc: BaseException | str) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return (text[:200] + "...") if len(text) > 200 else text


@dataclass(frozen=True)
class _Rule:
    """One kind of failure: the exceptions it covers, what the user reads, what to check and do.
    `message` may use {where} (the server's address), {name} (the exception's class), {detail}
    (what the server or client said) and {status} (an HTTP status)."""

    types: tuple[type[BaseException], ...]
    message: str
    variable: str | None
    fix: str


def _es_rules() -> list[_Rule]:
    import elastic_transport as et
    import elasticsearch as es

    return [  # first match wins: TlsError is a ConnectionError, the others are ApiErrors
        _Rule(
            (et.TlsError,),
            "TLS with Elasticsearch at {where} failed: {detail}",
            "NEWSFLOW_ES_CA_CERTS",
            "point NEWSFLOW_ES_CA_CERTS at the CA that signed the server's certificate",
        ),
        _Rule(
            (et.ConnectionError, et.ConnectionTimeout),
            "Elasticsearch at {where} does not answer ({name})",
            "NEWSFLOW_ES_URL",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_ES_URL to where it runs",
        ),
        _Rule(
            (es.AuthenticationException,),
            "Elasticsearch at {where} refused the credentials (401)",
            "NEWSFLOW_ES_API_KEY or NEWSFLOW_ES_USERNAME/NEWSFLOW_ES_PASSWORD",
            "set a valid API key, or a user and password, for this cluster",
        ),
        _Rule(
            (es.AuthorizationException,),
            "Elasticsearch at {where} does not allow this (403): {detail}",
            "NEWSFLOW_ES_API_KEY or NEWSFLOW_ES_USERNAME",
            "grant the user read access to the newsflow indices, or use another key",
        ),
        _Rule(
            (es.NotFoundError,),
            "nothing to read at {where}: {detail}",
            "NEWSFLOW_INDEX_PREFIX",
            "start a worker (it creates the index) and feed articles, or check the prefix",
        ),
        _Rule(
            (es.ApiError,),
            "Elasticsearch at {where} answered HTTP {status}: {detail}",
            None,
            "see the Elasticsearch log; retry when the cluster is healthy",
        ),
    ]


def _kafka_rules() -> list[_Rule]:
    import kafka.errors as ke

    return [
        _Rule(
            (ke.KafkaConnectionError, ke.BrokerNotAvailableError),
            "Kafka at {where} does not answer ({name})",
            "NEWSFLOW_KAFKA_BOOTSTRAP",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_KAFKA_BOOTSTRAP to the brokers",
        ),
        _Rule(
            (ke.SaslAuthenticationFailedError,),
            "Kafka at {where} refused the login: {detail}",
            "NEWSFLOW_KAFKA_SASL_USERNAME/NEWSFLOW_KAFKA_SASL_PASSWORD",
            "set the SASL user and password (and NEWSFLOW_KAFKA_SASL_MECHANISM) of this cluster",
        ),
        _Rule(
            (ke.AuthorizationError,),
            "Kafka at {where} does not allow this: {detail}",
            "NEWSFLOW_KAFKA_SASL_USERNAME",
            "grant the user access to the newsflow topics and group (ACLs), or use another user",
        ),
        _Rule(
            (ke.KafkaTimeoutError,),
            "Kafka at {where} does not answer in time: {detail}",
            "NEWSFLOW_KAFKA_BOOTSTRAP",
            "start it (`newsflow stack up` locally) or set NEWSFLOW_KAFKA_BOOTSTRAP to reachable brokers",
        ),
        _Rule(
            (ke.KafkaError,),
            "Kafka at {where} failed the request: {name}: {detail}",
            None,
            "see the broker's log; retry when it is healthy",
        ),
    ]


def explain(exc: BaseException, settings: Settings) -> Problem | None:
    """The Problem behind an exception from a client library, or None when it is something else."""
    from elasticsearch import ApiError

    for service, where, rules in (
        ("elasticsearch", masked(settings.es_url), _es_rules()),
        ("kafka", settings.kafka_bootstrap, _kafka_rules()),
    ):
        rule = next((r for r in rules if isinstance(exc, r.types)), None)
        if rule is None:
            continue
        api = exc if isinstance(exc, ApiError) else None
        message = rule.message.format(
            where=where,
            name=type(exc).__name__,
            detail=_short(api.message if api is not None else exc),
            status=api.meta.status if api is not None else "",
        )
        return Problem(service, where, message, rule.variable, rule.fix)
    return None
