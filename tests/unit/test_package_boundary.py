"""Workers import `streams` only: the development tools (`newsflow_tools`) stay out of it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import importlib, pkgutil, sys
import streams
for module in pkgutil.walk_packages(streams.__path__, "streams."):
    if module.name != "streams.worker":  # `faust -A streams.worker`: importing it starts a worker
        importlib.import_module(module.name)
import streams.runner, streams.topology  # what streams.worker imports
print(sorted(m for m in sys.modules if m.split(".")[0] == "newsflow_tools"))
"""


def test_no_module_of_the_runtime_package_imports_the_tools() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_stack_command_names_the_fix_where_the_tools_are_not_installed() -> None:
    # As in the worker image: the tools package cannot be found.
    probe = (
        "import importlib.util, sys\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'newsflow_tools' else real(name, *a)\n"
        "from streams.cli import main\n"
        "sys.exit(main(['stack', 'status']))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "newsflow_tools" in out.stderr and "make install" in out.stderr
