"""Benchmark: the synthsoc server under a bounded load on 127.0.0.1.

Starts ``synthsoc serve`` in a child process with the given population folders shared, then:

1. memory: the server's resident memory (VmRSS of the server process, job children excluded)
   idle and after each population is loaded (one persona query per population);
2. latency and throughput: for each number of concurrent users (threads, one token each),
   every user loops for ``--seconds`` over a mix of read requests (persona page, seeded persona
   sample, one person with narrative, map values by si-gun-gu, pyramid, run list); p50 / p95 /
   p99 per mix and requests per second; ``GET /api/health`` is timed in the same run as the
   peer (the framework's floor: FastAPI + uvicorn with no work) and reported as a ratio;
3. jobs: ``--jobs`` simulation jobs (bank_run, 10 replicates) submitted at once by as many
   users, time until all finish, and read latency while they run.

Prints a table and writes ``bench/results/service.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from synthsoc.service.config import Limits, add_user

RESULTS = Path(__file__).resolve().parent / "results" / "service.json"
REPO = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data: Path, port: int, populations: list[Path], workers: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "synthsoc", "serve", "--data", str(data), "--port", str(port),
            "--workers", str(workers)]
    for p in populations:
        args += ["--population", str(p)]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def requests_for(pop: str, person: int) -> dict[str, str]:
    return {
        "personas_page": f"/api/populations/{pop}/personas?where=sex:F&age_min=30&limit=50",
        "personas_sample": f"/api/populations/{pop}/personas?sample=10&seed=3",
        "person_detail": f"/api/populations/{pop}/personas/{person}",
        "map_sigungu": f"/api/populations/{pop}/map?level=sigungu&attribute=age",
        "pyramid": f"/api/populations/{pop}/pyramid",
        "runs": "/api/runs",
        "health": "/api/health",
    }


def load(url: str, tokens: list[str], paths: dict[str, str], seconds: float) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {k: [] for k in paths}
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(token: str) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            while time.monotonic() < stop:
                for name, path in paths.items():
                    t0 = time.perf_counter()
                    ok = client.get(path).status_code == 200
                    dt = time.perf_counter() - t0
                    with lock:
                        latencies[name].append(dt)
                        errors += not ok

    t0 = time.monotonic()
    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(user, tokens))
    wall = time.monotonic() - t0
    total = sum(len(v) for v in latencies.values())
    out: dict[str, Any] = {"users": len(tokens), "requests": total, "errors": errors,
                           "requests_per_s": total / wall, "latency_ms": {}}
    for name, values in latencies.items():
        arr = np.array(values) * 1000
        out["latency_ms"][name] = {q: float(np.percentile(arr, p)) for q, p in
                                   (("p50", 50), ("p95", 95), ("p99", 99))} if arr.size else {}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--population", type=Path, action="append", required=True)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path("/tmp/synthsoc-bench-service"))
    args = parser.parse_args()
    if args.data.exists():
        raise SystemExit(f"{args.data} exists: give a new --data folder")
    args.data.mkdir(parents=True)
    n_users = max(max(args.users), args.jobs)
    tokens = [add_user(args.data / "users.toml", f"u{i}", Limits()) for i in range(n_users)]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    server = start(args.data, port, args.population, args.workers)
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "machine": {
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "load_avg_at_start": os.getloadavg()}, "start_s": time.monotonic() - t0}
    try:
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        pops = httpx.get(f"{url}/api/populations", headers=headers).json()
        memory = [{"populations_loaded": 0, "rss_mib": rss_mib(server.pid)}]
        persons = []
        for i, pop in enumerate(pops, start=1):
            r = httpx.get(f"{url}/api/populations/{pop['id']}/personas?limit=1",
                          headers=headers, timeout=300).json()
            persons.append(r["total"])
            memory.append({"populations_loaded": i, "persons": r["total"],
                           "rss_mib": rss_mib(server.pid)})
        result["memory"] = memory
        biggest = pops[int(np.argmax(persons))]["id"]
        paths = requests_for(biggest, 1)
        result["population_persons"] = max(persons)
        result["load"] = [load(url, tokens[:u], paths, args.seconds) for u in args.users]
        # jobs: one simulation per user at once, and reads while they run
        t_jobs = time.monotonic()
        ids = []
        for token in tokens[: args.jobs]:
            r = httpx.post(f"{url}/api/simulations", json={
                "population": biggest, "scenario": "bank_run", "replicates": 10},
                headers={"Authorization": f"Bearer {token}"})
            ids.append((token, r.json()["id"]))
        during = load(url, tokens[:4], {k: paths[k] for k in ("personas_sample", "runs",
                                                               "health")}, args.seconds)
        statuses = []
        for token, run_id in ids:
            while True:
                run = httpx.get(f"{url}/api/runs/{run_id}",
                                headers={"Authorization": f"Bearer {token}"}).json()
                if run["status"] not in ("queued", "running"):
                    statuses.append(run["status"])
                    break
                time.sleep(1)
        result["jobs"] = {"jobs": args.jobs, "workers": args.workers, "statuses": statuses,
                          "all_done_s": time.monotonic() - t_jobs, "reads_during_jobs": during}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"server start {result['start_s']:.1f} s; load average at start "
          f"{result['machine']['load_avg_at_start'][0]:.1f}")
    for m in result["memory"]:
        print(f"memory: {m['populations_loaded']} populations loaded -> {m['rss_mib']:.0f} MiB")
    for level in result["load"]:
        health = level["latency_ms"]["health"]["p50"]
        print(f"{level['users']:>3} users: {level['requests_per_s']:.1f} req/s, "
              f"{level['errors']} errors")
        for name, q in level["latency_ms"].items():
            print(f"     {name:16s} p50 {q['p50']:8.1f} ms  p95 {q['p95']:8.1f}  "
                  f"p99 {q['p99']:8.1f}  (x{q['p50'] / health:.0f} of health p50)")
    jobs = result["jobs"]
    print(f"{jobs['jobs']} jobs on {jobs['workers']} workers: all done in "
          f"{jobs['all_done_s']:.0f} s ({jobs['statuses']}); reads meanwhile p95 "
          + ", ".join(f"{k} {v['p95']:.0f} ms" for k, v in
                      jobs["reads_during_jobs"]["latency_ms"].items()))


if __name__ == "__main__":
    main()
