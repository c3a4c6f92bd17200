"""Every CLI command facing a server that does not answer, or an index that is not there, says so
in a line or two naming the address, the setting and the fix, and exits non-zero."""

from __future__ import annotations

import json
import socket

import pytest

from tests.helpers import newsflow


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


COMMANDS = [
    (("search", "Rosja"), "NEWSFLOW_ES_URL"),
    (("alerts",), "NEWSFLOW_ES_URL"),
    (("dlq",), "NEWSFLOW_KAFKA_BOOTSTRAP"),
    (("dlq", "replay"), "NEWSFLOW_KAFKA_BOOTSTRAP"),
    (("feed", "-"), "NEWSFLOW_KAFKA_BOOTSTRAP"),
]


@pytest.mark.parametrize(("args", "variable"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_a_server_that_does_not_answer_is_one_clear_error(names, args, variable, tmp_path):
    port = _closed_port()
    env = {
        **names.env,
        "NEWSFLOW_ES_URL": f"http://user:s3cret@127.0.0.1:{port}",
        "NEWSFLOW_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
    }
    done = newsflow(env, *args, timeout=120) if args[0] != "feed" else _feed(env, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, done.stderr
    assert f"127.0.0.1:{port}" in lines[0] and variable in done.stderr and "fix:" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout


def _feed(env: dict[str, str], tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "one.jsonl"
    path.write_text('{"url": "https://a.example/1", "text": "Tekst."}\n')
    return newsflow(env, "feed", str(path), "--quiet", timeout=120)


@pytest.mark.parametrize("args", [("search", "Rosja", "--json"), ("dlq", "--json"), ("alerts", "--json")])
def test_json_commands_print_an_error_object_on_failure(names, args):
    port = _closed_port()
    env = {
        **names.env,
        "NEWSFLOW_ES_URL": f"http://127.0.0.1:{port}",
        "NEWSFLOW_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
    }
    done = newsflow(env, *args, timeout=120)
    assert done.returncode != 0
    error = json.loads(done.stdout)["error"]
    assert error["service"] in {"kafka", "elasticsearch"} and error["variable"] and error["fix"]


def test_searching_an_index_that_does_not_exist_names_the_prefix_to_check(services, names):
    done = newsflow(names.env, "search", "Rosja")  # the real Elasticsearch, no worker has run
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "NEWSFLOW_INDEX_PREFIX" in done.stderr and "start a worker" in done.stderr


def test_debug_shows_the_traceback(names):
    port = _closed_port()
    done = newsflow({**names.env, "NEWSFLOW_ES_URL": f"http://127.0.0.1:{port}"}, "--debug", "search", "x")
    assert done.returncode != 0 and "Traceback" in done.stderr
