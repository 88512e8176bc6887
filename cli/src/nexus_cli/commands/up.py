"""`nexus up`: run the local AWS runtime in the foreground and print how to talk to it."""

from __future__ import annotations

import argparse
import importlib
import signal
import threading
from pathlib import Path
from typing import Any

from rich.console import Console


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("up", help="run the local AWS runtime (and the API) in the foreground")
    parser.add_argument("--port", type=int, default=4566, help="port of the AWS endpoint (default 4566)")
    parser.add_argument(
        "--state-dir", type=Path, default=Path(".nexus"), help="state folder (default .nexus)"
    )
    parser.add_argument(
        "--api-port", type=int, default=8000, help="port of the dashboard and its API (default 8000)"
    )
    parser.set_defaults(func=run)


def _stop_on_term(signum: int, frame: Any) -> None:
    """SIGTERM (a process manager, `uv run` passing it on) stops and saves like Ctrl-C, once: a
    second one, often right behind the first, must not cut the state save short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from nexus_local.runtime import LocalRuntime

    signal.signal(signal.SIGTERM, _stop_on_term)
    console = Console()
    runtime = LocalRuntime(state_dir=args.state_dir, port=args.port)
    with runtime:
        took = runtime.start_seconds
        console.print(f"[bold green]NEXUS_ENA local AWS[/] at {runtime.endpoint} (started in {took:.2f} s)")
        console.print("Export these to use the aws CLI or boto3 against it:")
        for key, value in sorted(runtime.environment().items()):
            console.print(f"  export {key}={value}", highlight=False, soft_wrap=True)
        try:
            server = importlib.import_module("nexus_api.local_server")
        except ModuleNotFoundError:
            server = None
        console.print("Ctrl-C stops it and saves the state to " + str(args.state_dir))
        try:
            if server is not None:
                server.serve(runtime, args.api_port)  # returns at once; serves on its own thread
            threading.Event().wait()
        except KeyboardInterrupt:
            for stop in (signal.SIGINT, signal.SIGTERM):  # the state is being saved: let it finish
                signal.signal(stop, signal.SIG_IGN)
            console.print("stopping…")
    return 0
