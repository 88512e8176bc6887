"""Weekly analyzer: wall time and peak memory for 20 areas x 3 years of hourly history, one core.

The parent writes the synthetic market (hourly price, temperature and wind per area, daily gas and
carbon; nexus_analyzer.synthetic) as one Parquet file per UTC day, like the lake; a child
process pinned to one CPU, with BLAS threads at 1, reads them as the analyzer reads lake files
(dictionary strings, system allocator) and runs the full analysis
(statistics, correlations, regressions, diagnostics, outlook with backtest, anomalies, coverage),
the template narrative and the AnalysisDocument, then serialises the outputs. Peak memory is the
child's maximum resident set size (imports included).
Targets: < 60 s and < 400 MB (the Fargate task has 512 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

N_AREAS = 20
YEARS = 3
WEEK = "2024-W10"

CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
t0 = time.perf_counter()
import pyarrow.parquet as pq
from datetime import UTC, datetime
from nexus_analyzer.adapters.store import output_keys, parquet_bytes
from nexus_analyzer.analysis import analyze
from nexus_analyzer.document import build_document
from nexus_analyzer.narrative.facts import build_facts
from nexus_analyzer.narrative.service import write_narrative
t_import = time.perf_counter() - t0
week, lookback, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t1 = time.perf_counter()
import pyarrow as pa
pa.set_memory_pool(pa.system_memory_pool())
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from nexus_analyzer.adapters.lake import parse_partition
files = sorted(Path(path).glob("*.parquet"))
with ThreadPoolExecutor(max_workers=4) as pool:
    parts = list(pool.map(lambda f: parse_partition(f.read_bytes()), files))
table = pa.concat_tables(parts, promote_options="permissive")
del parts
t_read = time.perf_counter() - t1
t2 = time.perf_counter()
rows = table.num_rows
holder = [table]
del table  # analyze() frees the rows once they are on its grid, as in the task
res = analyze(holder.pop(), week, lookback)
t_analyze = time.perf_counter() - t2
narrative = write_narrative(build_facts(res.sections, week), [], None)
doc = build_document(week, lookback, res.sections, narrative, [], output_keys(week), datetime.now(UTC))
body = json.dumps(doc.model_dump(mode="json"), sort_keys=True)
parquet_bytes(res.stats_table); parquet_bytes(res.correlation_table)
total = time.perf_counter() - t0
print(json.dumps({"rows": rows, "import_s": t_import, "read_s": t_read, "analyze_s": t_analyze,
                  "total_s": total, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "markets": len(doc.stats), "json_kb": len(body) / 1024}))
"""


def main() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from nexus_analyzer.analysis import lookback_start
    from nexus_analyzer.synthetic import synthetic_market
    from nexus_contracts import AREAS, AreaCode
    from nexus_contracts.analysis import week_bounds

    lookback = YEARS * 365
    areas = [a.value for a in AREAS if a is not AreaCode.DE_AT_LU][
        : int(os.environ.get("NEXUS_BENCH_ANALYZER_AREAS", str(N_AREAS)))
    ]
    table = synthetic_market(areas, lookback_start(WEEK, lookback), week_bounds(WEEK)[1] + timedelta(days=1))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        # one file per UTC day, as the lake holds them (the child reads them like the S3 adapter)
        days = pc.floor_temporal(table.column("interval_start_utc"), unit="day")
        table = table.append_column("day", days)
        for day in pc.unique(days).to_pylist():
            part = table.filter(pc.equal(table["day"], pa.scalar(day, days.type))).drop_columns(["day"])
            pq.write_table(part, path / f"{day:%Y-%m-%d}.parquet")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        out = subprocess.run(
            [sys.executable, "-c", CHILD, WEEK, str(lookback), str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"analyzer benchmark child failed:\n{out.stderr[-3000:]}")
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"analyzer {fig['markets']} areas x {YEARS} years ({fig['rows']:,} rows): "
        f"total {fig['total_s']:.1f} s (imports {fig['import_s']:.1f} s, read {fig['read_s']:.1f} s, "
        f"analysis {fig['analyze_s']:.1f} s), peak RSS {fig['peak_rss_mb']:.0f} MB, "
        f"JSON {fig['json_kb']:.0f} KB "
        f"[targets < 60 s, < 400 MB]"
    )


if __name__ == "__main__":
    main()
