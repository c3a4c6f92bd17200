"""Settings come from the environment in one place, with clear errors and no secrets in dumps."""

from __future__ import annotations

import os

import pytest

from streams.settings import ENV_DEFAULTS, Settings, SettingsError


def test_defaults_point_at_the_local_stack() -> None:
    s = Settings.from_env({})
    assert s.kafka_bootstrap == "127.0.0.1:9092"
    assert s.es_url == "http://127.0.0.1:9200"
    assert (s.kafka_port, s.es_port) == (9092, 9200)


def test_prefixes_name_topics_and_indices() -> None:
    s = Settings.from_env({"NEWSFLOW_TOPIC_PREFIX": "t1.", "NEWSFLOW_INDEX_PREFIX": "t1-"})
    assert s.topic("articles.raw") == "t1.articles.raw"
    assert s.index("articles") == "t1-articles"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSFLOW_BULK_SIZE": "many"}, "NEWSFLOW_BULK_SIZE='many' is not an integer"),
        ({"NEWSFLOW_TOPIC_PARTITIONS": "0"}, "must be >= 1"),
        ({"NEWSFLOW_NEAR_DUPLICATES": "hide"}, "use 'mark'"),
        ({"NEWSFLOW_ES_URL": "localhost:9200"}, "must look like http://host:9200"),
        ({"NEWSFLOW_KAFKA_SECURITY_PROTOCOL": "TLS"}, "SASL_SSL"),
        (
            {"NEWSFLOW_PREPARE_PROCESSES": "many"},
            "NEWSFLOW_PREPARE_PROCESSES='many' is not an integer; set it to e.g. auto",
        ),
        ({"NEWSFLOW_PREPARE_PROCESSES": "-1"}, "NEWSFLOW_PREPARE_PROCESSES=-1 must be >= 0"),
        (
            {"NEWSFLOW_BACKLOG_REFRESH_INTERVAL": "30"},
            "NEWSFLOW_BACKLOG_REFRESH_INTERVAL='30' is not an Elasticsearch interval; set it to e.g. 30s",
        ),
    ],
)
def test_bad_values_name_the_variable_and_the_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(env)


@pytest.mark.parametrize(("cores", "expected"), [(1, 0), (2, 2), (3, 3), (16, 4)])
def test_prepare_processes_auto_is_one_per_core_and_none_on_one_core(
    monkeypatch: pytest.MonkeyPatch, cores: int, expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert Settings.from_env({}).prepare_processes == expected
    assert Settings.from_env({"NEWSFLOW_PREPARE_PROCESSES": " Auto "}).prepare_processes == expected
    assert Settings.from_env({"NEWSFLOW_PREPARE_PROCESSES": "2"}).prepare_processes == 2


@pytest.mark.parametrize("value", ["500ms", "30s", "2m", "1h", "-1"])
def test_backlog_refresh_intervals_are_elasticsearch_time_values(value: str) -> None:
    assert Settings.from_env({"NEWSFLOW_BACKLOG_REFRESH_INTERVAL": value}).backlog_refresh_interval == value


def test_secrets_never_appear_in_repr_or_redacted_dump() -> None:
    s = Settings.from_env(
        {
            "NEWSFLOW_ES_PASSWORD": "hunter2",
            "NEWSFLOW_ES_API_KEY": "c2VjcmV0",
            "NEWSFLOW_KAFKA_SASL_PASSWORD": "pw",
        }
    )
    assert "hunter2" not in repr(s) and "c2VjcmV0" not in repr(s) and "pw'" not in repr(s)
    dump = s.redacted()
    assert (
        dump["es_password"] == "***" and dump["es_api_key"] == "***" and dump["kafka_sasl_password"] == "***"
    )


def test_every_variable_has_a_default() -> None:
    assert all(name.startswith("NEWSFLOW_") for name in ENV_DEFAULTS)
