"""The `newsflow` command: stack, worker, feed, search, dlq and friends."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from streams.settings import Settings, SettingsError

Handler = Callable[[argparse.Namespace, Settings], int]


def _stack(args: argparse.Namespace, settings: Settings) -> int:
    from streams.stack.launcher import Stack, StackError, status_json

    stack = Stack(settings)
    try:
        if args.action == "up":
            stack.up(timeout=args.timeout)
        elif args.action == "down":
            stack.down(purge=args.purge)
        else:
            statuses = stack.status()
            if args.json:
                print(status_json(statuses))
            else:
                for st in statuses:
                    pid = st.pid if st.pid else "-"
                    print(f"{st.name:<14} {st.state:<9} pid {pid!s:<8} {st.address:<24} {st.version or ''}")
            return 0 if all(st.state == "up" for st in statuses) else 3
    except StackError as exc:
        print(f"newsflow stack {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    stack = sub.add_parser("stack", help="the local Kafka + Elasticsearch (downloaded with mvn)")
    stack.add_argument("action", choices=["up", "down", "status"])
    stack.add_argument("--json", action="store_true", help="status as JSON")
    stack.add_argument("--purge", action="store_true", help="down: also delete data and logs")
    stack.add_argument("--timeout", type=float, default=180.0, help="up: seconds to wait (180)")
    stack.set_defaults(handler=_stack)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
