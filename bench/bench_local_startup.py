"""Local runtime start-up: time to `start()` return (target < 3 s) and to fully provisioned.

`start()` returns once the endpoint serves and the bucket, table, topics, queues, subscriptions
and schedules exist; Lambda functions with their event-source mappings, the ECS cluster/task and
the state machine follow on a background thread (`wait_ready()`). Run: `python -m bench bench_local_startup`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

RUNS = 3
_PROBE = """
import sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from nexus_local.runtime import LocalRuntime
imported = time.perf_counter() - t0
rt = LocalRuntime(state_dir=Path(tempfile.mkdtemp()), persist=False)
c0 = time.process_time()
rt.start()
cpu = time.process_time() - c0  # all threads: the server's work is CPU in this process too
t1 = time.perf_counter()
rt.wait_ready()
ready = time.perf_counter() - t1 + rt.start_seconds
rt.stop()
print(f"{imported:.3f} {rt.start_seconds:.3f} {cpu:.3f} {ready:.3f}")
"""


def main() -> None:
    rows = []
    for _ in range(RUNS):  # a fresh process each time: moto's lazy imports are part of the cost
        out = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True)
        rows.append([float(x) for x in out.stdout.split()[-4:]])
    imported, started, cpu, ready = (statistics.median(col) for col in zip(*rows, strict=True))
    print(f"local runtime, median of {RUNS} fresh processes:")
    print(f"  import nexus_local.runtime      {imported:6.2f} s")
    print(f"  start() returns (target < 3 s)  {started:6.2f} s wall, {cpu:.2f} s CPU")
    print(f"  fully provisioned (wait_ready)  {ready:6.2f} s")
    print(f"  load average at end             {' '.join(f'{x:.1f}' for x in _loadavg())}")


def _loadavg() -> tuple[float, float, float]:
    return os.getloadavg()  # the machine is shared: a busy one explains a slow figure


if __name__ == "__main__":
    main()
