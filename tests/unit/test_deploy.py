"""deploy/ stays true to the code: compose services, env.example and the pinned stack versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from streams.settings import ENV_DEFAULTS
from streams.stack.artifacts import find_pom, pinned_versions

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_kafka_elasticsearch_kibana_and_a_worker() -> None:
    services = compose()["services"]
    assert {"kafka", "elasticsearch", "kibana", "worker"} <= set(services)
    assert services["worker"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / "Dockerfile").is_file()


def test_compose_images_match_the_pinned_versions() -> None:
    versions = pinned_versions(find_pom())
    services = compose()["services"]
    assert services["kafka"]["image"].endswith(f":{versions.kafka}")
    assert services["elasticsearch"]["image"].endswith(f":{versions.elasticsearch}")
    assert services["kibana"]["image"].endswith(f":{versions.elasticsearch}")


def test_compose_sets_only_variables_the_settings_module_reads() -> None:
    env = compose()["services"]["worker"]["environment"]
    assert set(env) <= set(ENV_DEFAULTS)
    assert env["NEWSFLOW_KAFKA_BOOTSTRAP"].split(":")[0] == "kafka"
    assert env["NEWSFLOW_ES_URL"].startswith("http://elasticsearch:")


def test_env_example_documents_every_variable_with_its_default() -> None:
    text = (DEPLOY / "env.example").read_text()
    documented = dict(re.findall(r"^(NEWSFLOW_[A-Z_0-9]+)=(.*)$", text, re.M))
    assert set(documented) == set(ENV_DEFAULTS)
    for name, default in ENV_DEFAULTS.items():
        assert documented[name] == default, name


def test_kafka_cluster_ids_never_look_like_an_option() -> None:
    from streams.stack.kafka import cluster_id

    ids = {cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
