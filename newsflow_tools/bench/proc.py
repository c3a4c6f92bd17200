"""Process figures from /proc (CPU seconds, peak RSS) and child processes driven by a line protocol."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY = "READY"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), 1/CLOCK_TICKS s resolution; 0 if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def descendants(pid: int) -> list[int]:
    """pid and every process below it (the Elasticsearch launcher runs the server JVM as a child)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(raw.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def tree_cpu_seconds(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


def status_mb(pid: int, key: str = "VmHWM") -> float | None:
    """A size field of /proc/<pid>/status (VmHWM: peak resident set) in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def pss_mb(pids: list[int]) -> float | None:
    """Proportional set size of processes together, in MiB: pages shared between them (a worker
    and the prepare processes it forked) counted once in all, not once per process."""
    total, seen = 0, False
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    seen = True
                    break
        except OSError:
            continue
    return total / 1024 if seen else None


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def self_cpu_seconds() -> float:
    return time.process_time()


class Child:
    """A helper process that warms up, prints READY, waits for "go" on stdin, prints a JSON line.

    Warming several processes up at once and measuring them one after the other keeps a
    measurement free of other work without paying every warm-up in sequence.
    """

    def __init__(self, argv: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.log = log
        self.cwd = cwd
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> Child:
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=self.cwd,
                env=self.env,
            )
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()
        return self

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _next(self, deadline: float) -> str | None:
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"{self.argv[2:4]} did not answer in time (log: {self.log})") from None
        if line is None:
            code = self.proc.wait() if self.proc else None
            raise RuntimeError(f"{self.argv[2:4]} exited with {code}; log: {self.log}\n{self.tail()}")
        return line

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._next(deadline) != READY:
            pass

    def go(self, command: str = "go") -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def result(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            line = self._next(deadline)
            if line and line.startswith("{"):
                data: dict[str, Any] = json.loads(line)
                return data

    def tail(self, n: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        return ""

    def stop(self) -> None:
        """SIGTERM by pid, then SIGKILL if it does not go within 30 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
