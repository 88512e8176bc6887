"""Cold import time of every collector's Lambda handler module, each in a fresh interpreter.

Target: under 300 ms per handler (the cold-start budget of a collector Lambda). Each figure is the
best of a few runs, measured inside the child process around `importlib.import_module` only.
"""

from __future__ import annotations

import json
import subprocess
import sys

from nexus_contracts.topology import COLLECTOR_SOURCES

TARGET_MS = 300.0
RUNS = 3
CHILD = (
    "import importlib, json, sys, time\n"
    "for pre in sys.argv[2:]: importlib.import_module(pre)\n"
    "t = time.perf_counter()\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(json.dumps({'ms': (time.perf_counter() - t) * 1000}))\n"
)


def import_ms(module: str, *preloaded: str) -> float | None:
    """Milliseconds to import `module` in a fresh interpreter, after `preloaded` (untimed)."""
    command = [sys.executable, "-c", CHILD, module, *preloaded]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return float(json.loads(done.stdout.strip().splitlines()[-1])["ms"])


# Shared layers every handler pays for, printed for attribution (not judged against the target).
SHARED = ("nexus_contracts", "nexus_core.http", "nexus_core.collector.kit")


def main() -> None:
    print(f"{'module':<40} {'best ms':>8} {'median ms':>9} {'own ms':>7}  target < {TARGET_MS:.0f} ms")
    modules = [f"nexus_collector_{s}.handler" for s in COLLECTOR_SOURCES]
    for module in [*SHARED, *modules]:
        runs = [ms for ms in (import_ms(module) for _ in range(RUNS)) if ms is not None]
        if not runs:
            print(f"{module:<40} {'not installed':>18}")
            continue
        runs.sort()
        verdict = "shared" if module in SHARED else ("ok" if runs[0] < TARGET_MS else "OVER")
        # What the collector itself adds once the shared kit is loaded.
        own = "" if module in SHARED else f"{import_ms(module, SHARED[-1]) or 0:.0f}"
        print(f"{module:<40} {runs[0]:>8.0f} {runs[len(runs) // 2]:>9.0f} {own:>7}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
