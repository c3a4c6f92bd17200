"""deploy/kibana/newsflow.ndjson against the index templates (every field exists, aggregations
only on aggregatable types), its ids and references, and the importer's request to Kibana's
saved-objects API (a local HTTP server stands in for the transport only)."""

from __future__ import annotations

import json
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from streams.kibana import KibanaError, find_export, import_objects, objects
from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
AGGREGATABLE = {"keyword", "date", "integer", "long", "float", "double", "boolean"}


def template_fields(name: str) -> dict[str, str]:
    """field path -> type, multi-fields included (title.raw)."""
    mappings = json.loads((ROOT / "schemas" / f"index-template.{name}.json").read_text())["template"][
        "mappings"
    ]
    out: dict[str, str] = {}

    def walk(props: dict[str, Any], prefix: str) -> None:
        for key, spec in props.items():
            if "properties" in spec:
                walk(spec["properties"], f"{prefix}{key}.")
                continue
            out[prefix + key] = spec.get("type", "object")
            for sub, subspec in spec.get("fields", {}).items():
                out[f"{prefix}{key}.{sub}"] = subspec["type"]

    walk(mappings["properties"], "")
    return out


def load() -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in find_export().read_text().splitlines() if line.strip()]
    summary = lines.pop()
    assert summary["exportedCount"] == len(lines) and summary["missingRefCount"] == 0
    return lines


def kql_fields(query: str) -> set[str]:
    return set(re.findall(r"([a-z_][a-z_.]*)\s*(?::|>|<)", query))


def test_the_export_parses_and_every_reference_resolves():
    found = load()
    ids = [(o["type"], o["id"]) for o in found]
    assert len(ids) == len(set(ids))
    for obj in found:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in ids, (obj["id"], ref)
    dashboard = next(o for o in found if o["type"] == "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    names = {r["name"] for r in dashboard["references"]}
    assert {p["panelRefName"] for p in panels} == names
    assert {"index-pattern", "search", "visualization", "dashboard"} == {o["type"] for o in found}


def test_every_field_the_objects_use_exists_with_a_type_kibana_can_use_that_way():
    found = load()
    views = {o["id"]: o for o in found if o["type"] == "index-pattern"}
    fields = {vid: template_fields(v["attributes"]["title"]) for vid, v in views.items()}
    for vid, view in views.items():
        attrs = view["attributes"]
        assert fields[vid][attrs["timeFieldName"]] == "date"
        for key in [*json.loads(attrs["fieldFormatMap"]), *json.loads(attrs.get("fieldAttrs", "{}"))]:
            assert key in fields[vid], (vid, key)
    articles = fields["newsflow-articles"]
    assert {"lemmas.text", "lemmas.title", "entities.persons"} <= set(
        json.loads(views["newsflow-articles"]["attributes"]["fieldAttrs"])
    )
    used = 0
    for obj in found:
        if obj["type"] not in {"search", "visualization"}:
            continue
        view = obj["references"][0]["id"]
        known = fields[view]
        source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        for field in kql_fields(source["query"]["query"]):
            assert field in known, (obj["id"], field)
            used += 1
        for column in obj["attributes"].get("columns", []):
            assert column in known, (obj["id"], column)
        for sort_field, _ in obj["attributes"].get("sort", []):
            assert known[sort_field] in AGGREGATABLE
        if obj["type"] == "visualization":
            for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
                field = agg["params"].get("field")
                if field:
                    assert known.get(field) in AGGREGATABLE, (obj["id"], field, known.get(field))
                    used += 1
    assert used >= 10
    assert articles["title.raw"] == "keyword"


def test_the_importer_sends_the_documented_multipart_request():
    seen: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            seen["path"] = self.path
            seen["headers"] = dict(self.headers)
            seen["body"] = self.rfile.read(length)
            reply = json.dumps({"success": True, "successCount": 12}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        settings = Settings.from_env(
            {
                "NEWSFLOW_INDEX_PREFIX": "acme-",
                "NEWSFLOW_ES_USERNAME": "newsflow",
                "NEWSFLOW_ES_PASSWORD": "pw",
            }
        )
        answer = import_objects(settings, url)
    finally:
        server.shutdown()
        server.server_close()
    assert answer["successCount"] == 12
    assert seen["path"] == "/api/saved_objects/_import?overwrite=true"
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["kbn-xsrf"] and headers["authorization"].startswith("Basic ")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + seen["body"]
    )
    (part,) = list(message.iter_parts())
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename() == "newsflow.ndjson"
    sent = [json.loads(line) for line in part.get_payload(decode=True).decode().splitlines()]
    titles = {o["attributes"]["title"] for o in sent if o.get("type") == "index-pattern"}
    assert titles == {"acme-articles", "acme-alerts"}  # the prefix reaches the data views
    assert len(sent) == len(load()) + 1


def test_a_refused_import_names_kibana_and_the_fix(tmp_path):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(401)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(KibanaError, match=r"HTTP 401.*NEWSFLOW_ES_API_KEY"):
            import_objects(Settings.from_env({}), f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
    assert objects(find_export(), "").count(b'"title": "articles"') == 1
