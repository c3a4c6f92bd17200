"""deploy/ stays true to the code: compose services, env.example and the pinned stack versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from newsflow_tools.stack.artifacts import find_pom, pinned_versions
from streams.settings import ENV_DEFAULTS, Settings

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
    assert env["NEWSFLOW_ES_URL"].startswith("https://elasticsearch:")


def _mounted(service: dict, path: str) -> bool:
    """Whether a file path lies on a volume mounted into the service."""
    targets = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in service.get("volumes", [])]
    return any(path.startswith(t.rstrip("/") + "/") for t in targets)


def test_compose_is_secured_end_to_end_and_the_worker_matches_the_servers() -> None:
    services = compose()["services"]
    worker = services["worker"]["environment"]
    kafka = services["kafka"]["environment"]
    es = services["elasticsearch"]["environment"]
    # The worker's settings parse, and say what the servers offer.
    settings = Settings.from_env({k: str(v) for k, v in worker.items()})
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert f"{settings.kafka_security_protocol}://:{settings.kafka_port}" in kafka["KAFKA_LISTENERS"]
    assert settings.kafka_sasl_mechanism in kafka["KAFKA_SASL_ENABLED_MECHANISMS"].split(",")
    jaas = kafka["KAFKA_LISTENER_NAME_SASL_SSL_PLAIN_SASL_JAAS_CONFIG"]
    assert f'user_{settings.kafka_sasl_username}="${{NEWSFLOW_KAFKA_SASL_PASSWORD' in jaas
    assert "PLAINTEXT://" not in kafka["KAFKA_LISTENERS"] + kafka["KAFKA_ADVERTISED_LISTENERS"]
    assert es["xpack.security.enabled"] == "true" and es["xpack.security.http.ssl.enabled"] == "true"
    # Certificates: every path a service reads lies on a mounted volume.
    assert _mounted(services["worker"], settings.kafka_ssl_cafile)
    assert _mounted(services["worker"], settings.es_ca_certs)
    for name in ("KAFKA_SSL_KEYSTORE_LOCATION", "KAFKA_SSL_TRUSTSTORE_LOCATION"):
        assert _mounted(services["kafka"], kafka[name]), name
    for name in ("key", "certificate", "certificate_authorities"):
        assert _mounted(services["elasticsearch"], es[f"xpack.security.http.ssl.{name}"]), name
    assert _mounted(
        services["kibana"], services["kibana"]["environment"]["ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES"]
    )
    # The user the worker logs in as is the one the users job creates; no secret is written here.
    assert "_security/user/" + settings.es_username in services["users"]["command"][-1]
    text = (DEPLOY / "compose.yaml").read_text()
    for secret in ("NEWSFLOW_ES_PASSWORD", "NEWSFLOW_KAFKA_SASL_PASSWORD", "ELASTIC_PASSWORD"):
        assert re.search(rf"{secret}: \$\{{{secret}\}}|{secret}: \$\{{{secret}:\?", text), secret


def test_env_example_documents_every_variable_with_its_default() -> None:
    text = (DEPLOY / "env.example").read_text()
    documented = dict(re.findall(r"^(NEWSFLOW_[A-Z_0-9]+)=(.*)$", text, re.M))
    assert set(documented) == set(ENV_DEFAULTS)
    for name, default in ENV_DEFAULTS.items():
        assert documented[name] == default, name


def test_kafka_cluster_ids_never_look_like_an_option() -> None:
    from newsflow_tools.stack.kafka import cluster_id

    ids = {cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


def test_the_dashboard_and_scrape_config_read_only_metrics_a_worker_exports() -> None:
    import json

    from streams.metrics import Metrics

    exported = set()
    for family in Metrics(lambda: ({}, {})).registry.collect():
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(family.type, [""])
        exported |= {family.name + suffix for suffix in suffixes}
    dashboard = json.loads((DEPLOY / "grafana" / "newsflow.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bnewsflow_[a-z_]+", expr)}
    assert used and used <= exported, used - exported
    assert {"newsflow_consumer_lag", "newsflow_dead_letters_total", "newsflow_articles_indexed_total"} <= used
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    worker = compose()["services"]["worker"]["environment"]
    assert scrape["metrics_path"] == "/metrics"
    assert scrape["dns_sd_configs"][0]["port"] == int(worker["NEWSFLOW_WEB_PORT"])
    assert worker["NEWSFLOW_WEB_HOST"] == "0.0.0.0"
    services = compose()["services"]
    mounted = " ".join(services["grafana"]["volumes"] + services["prometheus"]["volumes"])
    assert "./grafana/newsflow.json" in mounted and "./prometheus/prometheus.yml" in mounted
