"""The secured local stack's files: what each server is told, and what a client is handed."""

from __future__ import annotations

import stat
from pathlib import Path

from newsflow_tools.stack import elasticsearch, kafka
from newsflow_tools.stack.secure import SecureState
from streams.settings import Settings


def test_a_secured_broker_has_no_plaintext_client_listener_and_knows_the_users(tmp_path: Path):
    sasl = kafka.Sasl(tmp_path / "ks.pem", tmp_path / "ca.pem", "b-secret", {"newsflow": "n-secret"})
    props = kafka.server_properties(
        host="127.0.0.1", port=9092, controller_port=9093, data=tmp_path, sasl=sasl
    )
    lines = dict(line.split("=", 1) for line in props.splitlines())
    assert lines["listeners"] == "SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert lines["advertised.listeners"] == "SASL_SSL://127.0.0.1:9092"
    assert lines["inter.broker.listener.name"] == "SASL_SSL"
    assert lines["ssl.keystore.type"] == lines["ssl.truststore.type"] == "PEM"
    jaas = lines["listener.name.sasl_ssl.plain.sasl.jaas.config"]
    assert 'user_newsflow="n-secret"' in jaas and 'user_broker="b-secret"' in jaas and jaas.endswith(";")
    plain = kafka.server_properties(host="127.0.0.1", port=9092, controller_port=9093, data=tmp_path)
    assert "PLAINTEXT://127.0.0.1:9092" in plain and "sasl" not in plain


def test_a_secured_node_serves_https_with_files_inside_its_config(tmp_path: Path):
    yml = elasticsearch.elasticsearch_yml(
        host="127.0.0.1", port=9200, transport_port=9300, data=tmp_path, logs=tmp_path, secure=True
    )
    assert "xpack.security.enabled: true" in yml and "xpack.security.http.ssl.enabled: true" in yml
    assert "xpack.security.http.ssl.key: certs/server.key" in yml
    assert "xpack.security.enabled: false" in elasticsearch.elasticsearch_yml(
        host="127.0.0.1", port=9200, transport_port=9300, data=tmp_path, logs=tmp_path
    )


def test_the_env_file_is_private_and_points_clients_at_tls_and_logins(tmp_path: Path):
    state = SecureState(tmp_path)
    made = state.create(["127.0.0.1"])
    assert made.es_password and made.kafka_password and made.broker_password
    assert len({made.es_password, made.kafka_password, made.broker_password}) == 3
    assert state.create(["127.0.0.1"]) == made, "a second create must keep the secrets"
    env_file = state.write_env(Settings.from_env({"NEWSFLOW_ES_URL": "http://127.0.0.1:9201"}))
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    pairs = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if not line.startswith("#"))
    client = Settings.from_env(pairs)
    assert client.es_url == "https://127.0.0.1:9201" and client.es_ca_certs == str(state.ca_cert.resolve())
    assert client.kafka_security_protocol == "SASL_SSL" and client.kafka_sasl_password == made.kafka_password
    # No API key saved: the user and password; with one, the key alone.
    assert client.es_username == "newsflow" and client.es_password == made.es_password
    state.save_api_key("aWQ6a2V5")
    keyed = Settings.from_env(
        dict(
            line.split("=", 1) for line in state.write_env(client).read_text().splitlines() if line[0] != "#"
        )
    )
    assert keyed.es_api_key == "aWQ6a2V5" and not keyed.es_username and not keyed.es_password
    assert made.es_password not in repr(client) and made.kafka_password not in repr(client)
    assert "aWQ6a2V5" not in repr(keyed)
