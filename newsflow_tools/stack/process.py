"""Start, watch and stop the stack's background processes by the pid we recorded."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is dead for our purposes.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        with contextlib.suppress(OSError, IndexError):
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def spawn(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    pidfile: Path,
    cwd: Path | None = None,
    user: int | None = None,
    group: int | None = None,
) -> int:
    """Start cmd in its own session (so stop() can reach its children), output to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(cmd),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
        )
    pidfile.write_text(f"{proc.pid}\n")
    return proc.pid


def stop(pidfile: Path, timeout: float = 60.0) -> bool:
    """SIGTERM the process group we started, SIGKILL it after timeout. True if one was running."""
    pid = read_pid(pidfile)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.2)
    if _group_alive(pid):
        _kill_group(pid)
    pidfile.unlink(missing_ok=True)
    return True


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    while _group_alive(pid):
        time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    if alive(pgid):
        return True
    # The leader may be gone while children of the group live on (the Elasticsearch CLI
    # launcher spawns the server JVM).
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                if os.getpgid(int(entry.name)) == pgid and alive(int(entry.name)):
                    return True
    return False


@dataclass(frozen=True)
class Pending:
    what: str
    ready: Callable[[], bool]
    pid: int
    log: Path


def wait_all(pending: Sequence[Pending], *, timeout: float) -> None:
    """Poll every service until each is ready; fail fast with a log's tail if one dies."""
    waiting = list(pending)
    deadline = time.monotonic() + timeout
    while waiting:
        for item in list(waiting):
            if item.ready():
                waiting.remove(item)
            elif not alive(item.pid):
                raise RuntimeError(
                    f"{item.what} exited during start-up; last lines of {item.log}:\n{tail(item.log)}"
                )
        if not waiting:
            return
        if time.monotonic() > deadline:
            names = ", ".join(p.what for p in waiting)
            logs = "; ".join(str(p.log) for p in waiting)
            raise RuntimeError(f"{names} not ready within {timeout:.0f}s; see {logs}")
        time.sleep(0.5)


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def kill(pidfile: Path) -> int | None:
    """SIGKILL the process group we started, at once: a crash, for the fault suite. Its pid."""
    pid = read_pid(pidfile)
    if pid is None:
        return None
    _kill_group(pid)
    pidfile.unlink(missing_ok=True)
    return pid
