"""Configure and launch a single-node Elasticsearch on 127.0.0.1, as an unprivileged user if needed."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from newsflow_tools.stack.java import Jdk

# Elasticsearch refuses to run as root; when the launcher is root it runs the node as this user.
SERVICE_USER = "newsflow-es"


@dataclass(frozen=True)
class RunAs:
    uid: int
    gid: int
    name: str


def run_as() -> RunAs | None:
    """None when we are not root; else the unprivileged account, created on first use."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd is None:
            raise RuntimeError(
                "Elasticsearch refuses to run as root and 'useradd' is missing to create the "
                f"'{SERVICE_USER}' account; run `newsflow stack up` as a normal user instead"
            ) from None
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SERVICE_USER)
    return RunAs(entry.pw_uid, entry.pw_gid, SERVICE_USER)


def check_traversable(path: Path, user: RunAs) -> None:
    """Every parent of path must be searchable by the service user, or the JVM cannot start."""
    for parent in [path.resolve(), *path.resolve().parents]:
        mode = parent.stat().st_mode
        owned = parent.stat().st_uid == user.uid
        if not (mode & stat.S_IXOTH or (owned and mode & stat.S_IXUSR)):
            raise RuntimeError(
                f"{parent} is not searchable by the '{user.name}' account that runs Elasticsearch; "
                f"`chmod o+x {parent}` or set NEWSFLOW_HOME to a directory outside it"
            )


@dataclass(frozen=True)
class Security:
    """HTTPS with a PEM key and certificate chain signed by `ca`, and one file-realm superuser."""

    ca: Path
    certificate: Path
    key: Path
    user: str
    password: str


# Where the node reads its TLS files: inside its config directory (it may read nothing outside).
CERTS = "certs"

SECURITY_ON = f"""\
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: {CERTS}/server.key
xpack.security.http.ssl.certificate: {CERTS}/server.pem
xpack.security.http.ssl.certificate_authorities: ["{CERTS}/ca.pem"]
xpack.security.transport.ssl.enabled: false
xpack.security.authc.api_key.enabled: true
"""


def elasticsearch_yml(
    *, host: str, port: int, transport_port: int, data: Path, logs: Path, secure: bool = False
) -> str:
    # Single-node discovery: a loopback development node, security off unless asked for (the
    # transport stays plain either way: one node, bound to loopback). Disk watermarks off so a
    # nearly full development disk does not turn indices read-only mid-test.
    security = SECURITY_ON if secure else "xpack.security.enabled: false\n"
    return f"""\
cluster.name: newsflow-local
node.name: newsflow-local-1
path.data: {data}
path.logs: {logs}
network.host: {host}
http.port: {port}
transport.port: {transport_port}
discovery.type: single-node
{security}cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
"""


def prepare(
    *,
    root: Path,
    es_home: Path,
    host: str,
    port: int,
    transport_port: int,
    user: RunAs | None,
    jdk: Jdk,
    security: Security | None = None,
) -> Path:
    config = root / "config"
    data = root / "data"
    logs = root / "logs"
    tmp = root / "tmp"
    for d in (config, data, logs, tmp):
        d.mkdir(parents=True, exist_ok=True)
    # Start from the distribution's config (jvm.options, log4j2) and override the node settings.
    for item in (es_home / "config").iterdir():
        target = config / item.name
        if item.name == "elasticsearch.yml" or target.exists():
            continue
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    (config / "elasticsearch.yml").write_text(
        elasticsearch_yml(
            host=host,
            port=port,
            transport_port=transport_port,
            data=data,
            logs=logs,
            secure=security is not None,
        )
    )
    if security is not None:
        certs = config / CERTS
        certs.mkdir(exist_ok=True)
        for source, name in (
            (security.ca, "ca.pem"),
            (security.certificate, "server.pem"),
            (security.key, "server.key"),
        ):
            shutil.copyfile(source, certs / name)
            (certs / name).chmod(0o600)
        _ensure_user(es_home, root, jdk, security)
    if user is not None:
        check_traversable(root, user)
        check_traversable(es_home, user)
        for path in (root, es_home):
            _chown_tree(path, user)
    return config


def _ensure_user(es_home: Path, root: Path, jdk: Jdk, security: Security) -> None:
    """The file-realm user, added once with the distribution's own tool (it hashes the password)."""
    users = root / "config" / "users"
    if users.is_file() and any(
        line.split(":", 1)[0] == security.user for line in users.read_text().splitlines()
    ):
        return
    tool = es_home / "bin" / "elasticsearch-users"
    proc = subprocess.run(
        [str(tool), "useradd", security.user, "-p", security.password, "-r", "superuser"],
        env=environment(root=root, jdk=jdk, heap="64m"),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).replace(security.password, "***").strip()
        raise RuntimeError(f"adding the Elasticsearch user '{security.user}' with {tool} failed: {out}")


def _chown_tree(path: Path, user: RunAs) -> None:
    os.chown(path, user.uid, user.gid)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), user.uid, user.gid, follow_symlinks=False)


def command(es_home: Path) -> list[str]:
    return [str(es_home / "bin" / "elasticsearch")]


def environment(*, root: Path, jdk: Jdk, heap: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"JAVA_HOME", "ES_JAVA_OPTS"}}
    env.update(
        ES_JAVA_HOME=str(jdk.home),
        ES_PATH_CONF=str(root / "config"),
        ES_TMPDIR=str(root / "tmp"),
        ES_JAVA_OPTS=f"-Xms{heap} -Xmx{heap}",
        HOME=str(root),
    )
    return env
