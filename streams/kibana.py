"""`newsflow kibana import`: post deploy/kibana/newsflow.ndjson (data views, saved searches,
visualisations, a dashboard) to Kibana's saved-objects import API, titles adapted to the index
prefix. It logs in with the Elasticsearch credentials (Kibana accepts the same users and keys)."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from streams.settings import Settings

EXPORT = Path("deploy") / "kibana" / "newsflow.ndjson"
IMPORT_PATH = "/api/saved_objects/_import?overwrite=true"
# Data view titles are index patterns: the prefix isolates a tenant's indices, so it goes there.
PREFIXED_TITLES = {"articles", "alerts"}


class KibanaError(RuntimeError):
    """Kibana refused or could not take the import; the message says what to fix."""


def find_export() -> Path:
    """deploy/kibana/newsflow.ndjson of the checkout this package runs from, or of the working
    directory (the image copies it to /app/deploy/kibana)."""
    for base in (Path(__file__).resolve().parents[1], Path.cwd()):
        if (base / EXPORT).is_file():
            return base / EXPORT
    raise KibanaError(f"{EXPORT} not found next to the package or in the working directory; pass --file")


def objects(path: Path, prefix: str) -> bytes:
    """The export file, data view titles prefixed; the export summary line stays as it is."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("type") == "index-pattern" and obj["attributes"]["title"] in PREFIXED_TITLES:
            obj["attributes"]["title"] = prefix + obj["attributes"]["title"]
        lines.append(json.dumps(obj, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one `file` part, and its content type."""
    boundary = f"newsflow-{uuid.uuid4().hex}"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/ndjson\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def import_objects(settings: Settings, url: str, path: Path | None = None) -> dict[str, Any]:
    path = path or find_export()
    body, content_type = multipart(path.name, objects(path, settings.index_prefix))
    request = urllib.request.Request(
        url.rstrip("/") + IMPORT_PATH,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "kbn-xsrf": "newsflow"},
    )
    if settings.es_api_key:
        request.add_header("Authorization", f"ApiKey {settings.es_api_key}")
    elif settings.es_username:
        token = base64.b64encode(f"{settings.es_username}:{settings.es_password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = (
        ssl.create_default_context(cafile=settings.es_ca_certs or None) if url.startswith("https") else None
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        hint = (
            "set NEWSFLOW_ES_API_KEY or NEWSFLOW_ES_USERNAME/PASSWORD to a user Kibana accepts"
            if exc.code in {401, 403}
            else "check the Kibana log"
        )
        raise KibanaError(f"Kibana at {url} answered HTTP {exc.code}: {detail}; {hint}") from None
    except OSError as exc:
        raise KibanaError(f"Kibana at {url} does not answer ({exc}); start it or pass --url") from None
    if not answer.get("success"):
        errors = [
            f"{e.get('type')}/{e.get('id')}: {e.get('error', {}).get('type')}"
            for e in answer.get("errors", [])
        ]
        raise KibanaError(f"Kibana imported {answer.get('successCount', 0)} object(s) and refused: {errors}")
    return answer
