"""Entry point of the `nexus` command.

Each subcommand lives in `nexus_cli.commands.<name>` and exposes `register(subparsers)`, which
adds its parser and sets `func(args) -> int`. Modules are discovered, so adding a command touches
no shared file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from nexus_cli import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nexus", description="NEXUS_ENA energy-market analytics")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
