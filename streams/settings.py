"""The one place that reads the environment: a frozen Settings every other module takes values from."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Every variable the package reads, with its default. deploy/env.example documents the same
# names and a test keeps the three (this table, env.example, compose.yaml) in step.
ENV_DEFAULTS: dict[str, str] = {
    "NEWSFLOW_KAFKA_BOOTSTRAP": "127.0.0.1:9092",
    "NEWSFLOW_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT",
    "NEWSFLOW_KAFKA_SASL_MECHANISM": "",
    "NEWSFLOW_KAFKA_SASL_USERNAME": "",
    "NEWSFLOW_KAFKA_SASL_PASSWORD": "",
    "NEWSFLOW_KAFKA_SSL_CAFILE": "",
    "NEWSFLOW_ES_URL": "http://127.0.0.1:9200",
    "NEWSFLOW_ES_API_KEY": "",
    "NEWSFLOW_ES_USERNAME": "",
    "NEWSFLOW_ES_PASSWORD": "",
    "NEWSFLOW_ES_CA_CERTS": "",
    "NEWSFLOW_HOME": ".newsflow",
    "NEWSFLOW_APP_ID": "newsflow",
    "NEWSFLOW_TOPIC_PREFIX": "",
    "NEWSFLOW_INDEX_PREFIX": "",
    "NEWSFLOW_TOPIC_PARTITIONS": "4",
    "NEWSFLOW_TOPIC_REPLICATION": "1",
    "NEWSFLOW_WORKER_NAME": "w1",
    "NEWSFLOW_STORE": "rocksdb://",
    "NEWSFLOW_WEB_PORT": "6066",
    "NEWSFLOW_WEB_HOST": "127.0.0.1",
    "NEWSFLOW_BULK_SIZE": "500",
    "NEWSFLOW_BULK_SECONDS": "0.25",
    "NEWSFLOW_BACKLOG_SECONDS": "5",
    "NEWSFLOW_BACKLOG_REFRESH_INTERVAL": "30s",
    "NEWSFLOW_MAX_MESSAGE_BYTES": "1048576",
    "NEWSFLOW_LANGUAGE_CHARS": "500",
    "NEWSFLOW_PREPARE_PROCESSES": "auto",
    "NEWSFLOW_WARM_LANGUAGES": "pl,en",
    "NEWSFLOW_DEDUP_WINDOW_DAYS": "7",
    "NEWSFLOW_DEDUP_THRESHOLD": "0.8",
    "NEWSFLOW_NEAR_DUPLICATES": "mark",
    "NEWSFLOW_SPIKE_WINDOW_SECONDS": "900",
    "NEWSFLOW_SPIKE_MIN_COUNT": "5",
    "NEWSFLOW_SPIKE_K": "4",
    "NEWSFLOW_SPIKE_COOLDOWN_WINDOWS": "16",
    "NEWSFLOW_SPIKE_MIN_HISTORY_WINDOWS": "96",
    "NEWSFLOW_SPIKE_SCAN_SECONDS": "30",
    "NEWSFLOW_WATCHLIST": "",
    "NEWSFLOW_ALERT_WEBHOOK_URL": "",
    "NEWSFLOW_STACK_KAFKA_CONTROLLER_PORT": "9093",
    "NEWSFLOW_STACK_ES_TRANSPORT_PORT": "9300",
    "NEWSFLOW_STACK_ES_HEAP": "1g",
    "NEWSFLOW_JAVA_HOME": "",
    "NEWSFLOW_LOG_LEVEL": "info",
}

SECRET_NAMES = frozenset(
    {
        "NEWSFLOW_KAFKA_SASL_PASSWORD",
        "NEWSFLOW_ES_API_KEY",
        "NEWSFLOW_ES_PASSWORD",
        "NEWSFLOW_ALERT_WEBHOOK_URL",  # webhook URLs often carry a token
    }
)


class SettingsError(ValueError):
    """A variable holds a value the pipeline cannot use; the message names it and the fix."""


def _int(env: Mapping[str, str], name: str, minimum: int = 0) -> int:
    raw = env[name]
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not an integer; set it to e.g. {ENV_DEFAULTS[name]}"
        ) from None
    if value < minimum:
        raise SettingsError(f"{name}={value} must be >= {minimum}")
    return value


def _processes(env: Mapping[str, str], name: str) -> int:
    """A count of processes, or "auto": one per core this process may use, at most 4, and none on
    a single core. The worker itself mostly waits on them (Kafka, the table, the bulk requests take
    ~15% of its CPU): on 2 cores, `newsflow bench` gave 135 articles/s with none, 176 with 1 and
    228 with 2."""
    if env[name].strip().lower() != "auto":
        return _int(env, name, 0)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(4, cores)


def _float(env: Mapping[str, str], name: str) -> float:
    raw = env[name]
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number; set it to e.g. {ENV_DEFAULTS[name]}") from None


_INTERVAL = re.compile(r"-1|[1-9][0-9]*(ms|s|m|h)")


def _interval(env: Mapping[str, str], name: str) -> str:
    """An Elasticsearch time value for a refresh interval: 500ms, 30s, 2m, or -1 (never)."""
    raw = env[name].strip()
    if not _INTERVAL.fullmatch(raw):
        raise SettingsError(
            f"{name}={raw!r} is not an Elasticsearch interval; set it to e.g. "
            f"{ENV_DEFAULTS[name]} (a number and ms, s, m or h; -1 for no refresh at all)"
        )
    return raw


@dataclass(frozen=True)
class Settings:
    """Everything configurable, as plain values. Build with `Settings.from_env()`."""

    kafka_bootstrap: str = ENV_DEFAULTS["NEWSFLOW_KAFKA_BOOTSTRAP"]
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = ""
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = field(default="", repr=False)
    kafka_ssl_cafile: str = ""
    es_url: str = ENV_DEFAULTS["NEWSFLOW_ES_URL"]
    es_api_key: str = field(default="", repr=False)
    es_username: str = ""
    es_password: str = field(default="", repr=False)
    es_ca_certs: str = ""
    home: Path = Path(".newsflow")
    app_id: str = "newsflow"
    topic_prefix: str = ""
    index_prefix: str = ""
    topic_partitions: int = 4
    topic_replication: int = 1
    worker_name: str = "w1"
    store: str = "rocksdb://"
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    bulk_size: int = 500
    bulk_seconds: float = 0.25
    backlog_seconds: float = 5.0  # 0: never slow the refresh down
    backlog_refresh_interval: str = "30s"
    max_message_bytes: int = 1_048_576
    language_chars: int = 500
    prepare_processes: int = 0
    warm_languages: tuple[str, ...] = ("pl", "en")
    dedup_window_days: float = 7.0
    dedup_threshold: float = 0.8
    near_duplicates: str = "mark"
    spike_window_seconds: float = 900.0
    spike_min_count: int = 5
    spike_k: float = 4.0
    spike_cooldown_windows: int = 16
    spike_min_history_windows: int = 96
    spike_scan_seconds: float = 30.0
    watchlist: str = ""
    alert_webhook_url: str = field(default="", repr=False)
    stack_kafka_controller_port: int = 9093
    stack_es_transport_port: int = 9300
    stack_es_heap: str = "1g"
    java_home: str = ""
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if environ is None else environ
        env = {name: source.get(name, default) for name, default in ENV_DEFAULTS.items()}
        # The JDK for the local stack: ours first, then the conventional variable.
        java_home = env["NEWSFLOW_JAVA_HOME"] or source.get("JAVA_HOME", "")
        near = env["NEWSFLOW_NEAR_DUPLICATES"].strip().lower()
        if near not in {"mark", "drop"}:
            raise SettingsError(
                f"NEWSFLOW_NEAR_DUPLICATES={near!r}: use 'mark' (index with duplicate_of) or 'drop'"
            )
        protocol = env["NEWSFLOW_KAFKA_SECURITY_PROTOCOL"].strip().upper()
        if protocol not in {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}:
            raise SettingsError(
                f"NEWSFLOW_KAFKA_SECURITY_PROTOCOL={protocol!r}: use PLAINTEXT, SSL, "
                "SASL_PLAINTEXT or SASL_SSL"
            )
        es_url = env["NEWSFLOW_ES_URL"].rstrip("/")
        if urlsplit(es_url).scheme not in {"http", "https"} or not urlsplit(es_url).hostname:
            raise SettingsError(f"NEWSFLOW_ES_URL={es_url!r} must look like http://host:9200")
        if env["NEWSFLOW_ES_CA_CERTS"] and urlsplit(es_url).scheme != "https":
            raise SettingsError(
                f"NEWSFLOW_ES_CA_CERTS is set but NEWSFLOW_ES_URL={masked(es_url)!r} is plain HTTP; "
                "use https:// (a CA only applies to TLS), or unset NEWSFLOW_ES_CA_CERTS"
            )
        if "@" in urlsplit(es_url).netloc and env["NEWSFLOW_ES_API_KEY"]:
            raise SettingsError(
                "NEWSFLOW_ES_URL carries a user and password and NEWSFLOW_ES_API_KEY is set too; "
                "keep one login (prefer the API key, or NEWSFLOW_ES_USERNAME/PASSWORD)"
            )
        return cls(
            kafka_bootstrap=env["NEWSFLOW_KAFKA_BOOTSTRAP"],
            kafka_security_protocol=protocol,
            kafka_sasl_mechanism=env["NEWSFLOW_KAFKA_SASL_MECHANISM"],
            kafka_sasl_username=env["NEWSFLOW_KAFKA_SASL_USERNAME"],
            kafka_sasl_password=env["NEWSFLOW_KAFKA_SASL_PASSWORD"],
            kafka_ssl_cafile=env["NEWSFLOW_KAFKA_SSL_CAFILE"],
            es_url=es_url,
            es_api_key=env["NEWSFLOW_ES_API_KEY"],
            es_username=env["NEWSFLOW_ES_USERNAME"],
            es_password=env["NEWSFLOW_ES_PASSWORD"],
            es_ca_certs=env["NEWSFLOW_ES_CA_CERTS"],
            home=Path(env["NEWSFLOW_HOME"]),
            app_id=env["NEWSFLOW_APP_ID"],
            topic_prefix=env["NEWSFLOW_TOPIC_PREFIX"],
            index_prefix=env["NEWSFLOW_INDEX_PREFIX"],
            topic_partitions=_int(env, "NEWSFLOW_TOPIC_PARTITIONS", 1),
            topic_replication=_int(env, "NEWSFLOW_TOPIC_REPLICATION", 1),
            worker_name=env["NEWSFLOW_WORKER_NAME"],
            store=env["NEWSFLOW_STORE"],
            web_port=_int(env, "NEWSFLOW_WEB_PORT", 0),
            web_host=env["NEWSFLOW_WEB_HOST"],
            bulk_size=_int(env, "NEWSFLOW_BULK_SIZE", 1),
            bulk_seconds=_float(env, "NEWSFLOW_BULK_SECONDS"),
            backlog_seconds=_float(env, "NEWSFLOW_BACKLOG_SECONDS"),
            backlog_refresh_interval=_interval(env, "NEWSFLOW_BACKLOG_REFRESH_INTERVAL"),
            max_message_bytes=_int(env, "NEWSFLOW_MAX_MESSAGE_BYTES", 1024),
            language_chars=_int(env, "NEWSFLOW_LANGUAGE_CHARS", 50),
            prepare_processes=_processes(env, "NEWSFLOW_PREPARE_PROCESSES"),
            warm_languages=languages(env["NEWSFLOW_WARM_LANGUAGES"]),
            dedup_window_days=_float(env, "NEWSFLOW_DEDUP_WINDOW_DAYS"),
            dedup_threshold=_float(env, "NEWSFLOW_DEDUP_THRESHOLD"),
            near_duplicates=near,
            spike_window_seconds=_float(env, "NEWSFLOW_SPIKE_WINDOW_SECONDS"),
            spike_min_count=_int(env, "NEWSFLOW_SPIKE_MIN_COUNT", 1),
            spike_k=_float(env, "NEWSFLOW_SPIKE_K"),
            spike_cooldown_windows=_int(env, "NEWSFLOW_SPIKE_COOLDOWN_WINDOWS", 0),
            spike_min_history_windows=_int(env, "NEWSFLOW_SPIKE_MIN_HISTORY_WINDOWS", 0),
            spike_scan_seconds=_float(env, "NEWSFLOW_SPIKE_SCAN_SECONDS"),
            watchlist=env["NEWSFLOW_WATCHLIST"],
            alert_webhook_url=env["NEWSFLOW_ALERT_WEBHOOK_URL"],
            stack_kafka_controller_port=_int(env, "NEWSFLOW_STACK_KAFKA_CONTROLLER_PORT", 1),
            stack_es_transport_port=_int(env, "NEWSFLOW_STACK_ES_TRANSPORT_PORT", 1),
            stack_es_heap=env["NEWSFLOW_STACK_ES_HEAP"],
            java_home=java_home,
            log_level=env["NEWSFLOW_LOG_LEVEL"].lower(),
        )

    # Derived names: one prefix scheme for topics and indices so tests can isolate themselves.
    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def index(self, name: str) -> str:
        return f"{self.index_prefix}{name}"

    @property
    def workers_home(self) -> Path:
        """Where workers keep their table stores, one directory per app id and worker name."""
        return self.home / "workers"

    @property
    def kafka_port(self) -> int:
        return _port_of(self.kafka_bootstrap.split(",")[0], 9092)

    @property
    def kafka_host(self) -> str:
        return self.kafka_bootstrap.split(",")[0].rsplit(":", 1)[0]

    @property
    def es_port(self) -> int:
        return urlsplit(self.es_url).port or 9200

    @property
    def es_host(self) -> str:
        return urlsplit(self.es_url).hostname or "127.0.0.1"

    def redacted(self) -> dict[str, str]:
        """Settings as strings for logs and `--help`-style dumps, secrets masked."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            secret = f"NEWSFLOW_{f.name.upper()}" in SECRET_NAMES
            out[f.name] = "***" if secret and value else str(value)
        return out

    def kafka_client_options(self) -> dict[str, str | None]:
        """Security options in kafka-python's vocabulary (aiokafka/Faust take the same names)."""
        opts: dict[str, str | None] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_sasl_mechanism:
            opts["sasl_mechanism"] = self.kafka_sasl_mechanism
            opts["sasl_plain_username"] = self.kafka_sasl_username
            opts["sasl_plain_password"] = self.kafka_sasl_password
        if self.kafka_ssl_cafile:
            opts["ssl_cafile"] = self.kafka_ssl_cafile
        return opts


def languages(value: str, name: str = "NEWSFLOW_WARM_LANGUAGES") -> tuple[str, ...]:
    """ "pl,en" -> ("pl", "en"); "all" stays ("all",): every language the detector knows."""
    codes = tuple(dict.fromkeys(code.strip().lower() for code in value.split(",") if code.strip()))
    for code in codes:
        if not (code == "all" or (code.isalpha() and 2 <= len(code) <= 3)):
            raise SettingsError(
                f"{name} has {code!r}: give ISO 639-1 codes separated by commas (pl,en,de), 'all', or nothing"
            )
    return codes


def _port_of(hostport: str, default: int) -> int:
    _, _, port = hostport.rpartition(":")
    try:
        return int(port)
    except ValueError:
        return default


def masked(url: str) -> str:
    """A URL without the password it may carry (https://user:***@host), for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username}:***@{host}", parts.path, parts.query, ""))
