"""Fetch the pinned Kafka and Elasticsearch artifacts with Maven, once, into the state directory."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


class FetchError(RuntimeError):
    """Maven could not fetch an artifact; the message carries Maven's own last lines."""


@dataclass(frozen=True)
class Versions:
    kafka: str
    elasticsearch: str


def find_pom() -> Path:
    """deploy/stack/pom.xml of the checkout this package runs from, or of the working directory."""
    here = Path(__file__).resolve()
    for base in (here.parents[2], Path.cwd()):
        pom = base / "deploy" / "stack" / "pom.xml"
        if pom.is_file():
            return pom
    raise FetchError(
        "deploy/stack/pom.xml not found next to the package or in the working directory; "
        "run newsflow from a checkout of the repository"
    )


def pinned_versions(pom: Path) -> Versions:
    props = ET.parse(pom).getroot().find("m:properties", POM_NS)
    if props is None:
        raise FetchError(f"{pom} has no <properties> with the pinned versions")

    def prop(name: str) -> str:
        node = props.find(f"m:{name}", POM_NS)
        if node is None or not (node.text or "").strip():
            raise FetchError(f"{pom} lacks <{name}>")
        return (node.text or "").strip()

    return Versions(kafka=prop("kafka.version"), elasticsearch=prop("elasticsearch.version"))


def _mvn(pom: Path, *goals: str) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise FetchError("Maven ('mvn') is not on PATH; install it (Debian: apt-get install maven)")
    cmd = [mvn, "-B", "-q", "-f", str(pom), *goals]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise FetchError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{tail}")


def kafka_libs(pom: Path, home: Path, version: str) -> Path:
    """Directory of the broker's jars, fetched on first use."""
    libs = home / "dist" / f"kafka-{version}" / "libs"
    marker = libs / f"kafka_2.13-{version}.jar"
    if not marker.is_file():
        tmp = libs.with_name("libs.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        _mvn(
            pom,
            "dependency:copy-dependencies",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        )
        shutil.rmtree(libs, ignore_errors=True)
        tmp.rename(libs)
    return libs


def elasticsearch_home(pom: Path, home: Path, version: str) -> Path:
    """Unpacked Elasticsearch distribution, fetched and unpacked on first use."""
    dist = home / "dist"
    es_home = dist / f"elasticsearch-{version}"
    if (es_home / "bin" / "elasticsearch").is_file():
        return es_home
    download = dist / "download"
    _mvn(pom, "dependency:copy@elasticsearch", f"-DoutputDirectory={download}")
    archive = download / f"elasticsearch-{version}.zip"
    if not archive.is_file():
        raise FetchError(f"Maven reported success but {archive} is missing")
    partial = dist / f"elasticsearch-{version}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(partial)
        # zipfile drops the executable bits; restore them from the archive's Unix modes.
        for info in zf.infolist():
            mode = info.external_attr >> 16
            if mode:
                (partial / info.filename).chmod(mode & 0o7777)
    (partial / f"elasticsearch-{version}").rename(es_home)
    shutil.rmtree(partial, ignore_errors=True)
    archive.unlink()
    return es_home
