"""Child processes that never outlive the process that made them."""

from __future__ import annotations

import contextlib
import signal
import sys


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """In a child: on Linux, `sig` when the parent dies (even by SIGKILL), so that no orphan keeps
    its memory or its work. Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, sig)
