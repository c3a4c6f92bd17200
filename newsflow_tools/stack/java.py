"""Find a JDK on this machine that is new enough for a given service."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

# Where distributions and installers put JDKs; JAVA_HOME and `java` on PATH come first.
SEARCH_ROOTS = ("/usr/lib/jvm", "/usr/local/lib/jvm", "/opt/java", "/opt", "/usr/java")


class JavaNotFound(RuntimeError):
    """No JDK of the required version; the message says what was found and how to fix it."""


@dataclass(frozen=True)
class Jdk:
    home: Path
    major: int

    @property
    def java(self) -> Path:
        return self.home / "bin" / "java"


def _major_from_release(home: Path) -> int | None:
    release = home / "release"
    if not release.is_file():
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', release.read_text(errors="replace"), re.M)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8.0".
    return int(match.group(2) or 0) if major == 1 else major


def _candidates(preferred: str) -> list[Path]:
    homes: list[Path] = []
    if preferred:
        homes.append(Path(preferred))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    for root in SEARCH_ROOTS:
        base = Path(root)
        if base.is_dir():
            homes.extend(sorted(p for p in base.iterdir() if p.is_dir()))
    seen: set[Path] = set()
    unique = []
    for home in homes:
        real = home.resolve()
        if real not in seen and (real / "bin" / "java").is_file():
            seen.add(real)
            unique.append(real)
    return unique


def find_jdks(preferred: str = "") -> list[Jdk]:
    found = []
    for home in _candidates(preferred):
        major = _major_from_release(home)
        if major is not None:
            found.append(Jdk(home, major))
    return found


def find_jdk(minimum: int, service: str, preferred: str = "") -> Jdk:
    """The preferred JDK when new enough, else the newest one found that is >= minimum."""
    jdks = find_jdks(preferred)
    if preferred:
        for jdk in jdks:
            if jdk.home == Path(preferred).resolve() and jdk.major >= minimum:
                return jdk
    suitable = [j for j in jdks if j.major >= minimum]
    if suitable:
        return max(suitable, key=lambda j: j.major)
    seen = ", ".join(f"{j.home} (Java {j.major})" for j in jdks) or "none"
    raise JavaNotFound(
        f"{service} needs Java {minimum}+; JDKs found: {seen}. Install one (e.g. Debian "
        f"'openjdk-{max(minimum, 21)}-jdk-headless' or a Temurin {minimum}+ JDK) or point "
        "NEWSFLOW_JAVA_HOME at it."
    )
