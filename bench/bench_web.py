"""Reading-room benchmark: a bounded load run on loopback, and page render time.

1. Builds an archive of the two samples plus a generated corpus (10k pages
   by default) and serves it with ``declass serve`` on a free loopback port.
2. Baseline, in the same run: the same load against a static file of the
   same server (what the server costs before declass does any work).
3. Load: N concurrent clients (200) issuing a fixed mix of searches and
   document reads for a bounded time (30 s), then stopping.  Reports
   throughput, latency percentiles and errors.
4. Server time of NIE-58's reader page, rendered in process with the
   response cache off (median of 30), and served from the cache.

Client and server share this machine's cores: the client's own overhead is
part of every latency figure.

    python bench/bench_web.py [--pages 10000] [--clients 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import ensure_corpus

import declass
from declass.samples import sample_dir

HERE = Path(__file__).parent
QUERIES = ['"Port Arthur"', "Peiping", "Sino-Soviet solidarity", "Dairen", "Manchuria AND railway", "Kremlin",
           "treaty", "Formosa", '"Korean war"', "advisors", "Moscow leadership", "aid NOT military"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def load(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:
        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                url = rng.choice(urls)
                t = time.perf_counter()
                try:
                    r = await client.get(url)
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - t)

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        wall = time.perf_counter() - start
    return {"requests": len(latencies), "errors": errors, "seconds": wall, "rps": len(latencies) / wall,
            "p50_ms": 1000 * percentile(latencies, 0.50), "p95_ms": 1000 * percentile(latencies, 0.95),
            "p99_ms": 1000 * percentile(latencies, 0.99)}


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "seconds": %%f, "errors": %%d, "p50_ms": %%f, "p95_ms": %%f, '
    .. '"p99_ms": %%f}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, float] | None:
    """The same load with wrk (C, from Debian), when it is installed: less client overhead."""
    if shutil.which("wrk") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % ", ".join(json.dumps(u) for u in urls))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", fh.name,
                              base], capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        Path(fh.name).unlink()
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    r = json.loads(line[8:])
    r["rps"] = r["requests"] / r["seconds"]
    r["client"] = "wrk"
    return r


def measure(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, float]:
    return run_wrk(base, urls, clients, seconds) or {**asyncio.run(load(base, urls, clients, seconds)),
                                                     "client": "httpx"}


def reader_times(db: Path) -> dict[str, float]:
    """NIE-58's reader page: server time in process, uncached and cached."""
    from declass.web import create_app

    async def timed(app: object, n: int) -> list[float]:
        out = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:  # type: ignore[arg-type]
            for _ in range(n):
                t = time.perf_counter()
                r = await c.get("/doc/1952-09-10-nie-58-sino-soviet-relations")
                assert r.status_code == 200
                out.append(time.perf_counter() - t)
        return out

    uncached = asyncio.run(timed(create_app(db, cache=False), 30))
    cached = asyncio.run(timed(create_app(db, cache=True), 30))[1:]
    return {"uncached_median_ms": 1000 * statistics.median(uncached),
            "uncached_p95_ms": 1000 * percentile(uncached, 0.95),
            "cached_median_ms": 1000 * statistics.median(cached)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()

    corpus = ensure_corpus(args.pages, 1952)
    with tempfile.TemporaryDirectory(prefix="declass-webbench-") as tmp:
        db = Path(tmp) / "web.db"
        t = time.perf_counter()
        with declass.Archive(db) as a:
            a.ingest([sample_dir(), corpus])
            ids = [d["id"] for d in a.documents()]
            blocks = a.store.count()[1]
        print(f"archive: {len(ids)} documents, {blocks} blocks, built in {time.perf_counter() - t:.0f} s")
        rng = random.Random(7)
        samples = ["/doc/1952-09-10-nie-58-sino-soviet-relations", "/doc/1953-11-04-nsc-briefing-sino-soviet-relations"]
        docs = samples + [f"/doc/{i}" for i in rng.sample(ids, min(40, len(ids)))]
        mix = ([f"/search?q={quote(q)}" for q in QUERIES] * 2 + docs +
               [f"/api/search?q={quote(q)}&limit=20" for q in QUERIES])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "declass", "serve", "--db", str(db), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/static/declass.css", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            baseline = measure(base, ["/static/declass.css"], args.clients, min(args.seconds, 10))
            result = measure(base, mix, args.clients, args.seconds)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # connections left open by the load: stop it hard
                proc.kill()
                proc.wait()
        reader = reader_times(db)
    out = {"archive": {"documents": len(ids), "blocks": blocks}, "clients": args.clients, "baseline": baseline,
           "load": result, "reader_nie58": reader,
           "throughput_ratio": result["rps"] / baseline["rps"], "p95_ratio": result["p95_ms"] / baseline["p95_ms"]}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "web.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"baseline (static file): {baseline['rps']:,.0f} req/s, p50 {baseline['p50_ms']:.0f} ms, "
          f"p95 {baseline['p95_ms']:.0f} ms, errors {baseline['errors']}")
    print(f"client: {result['client']}")
    print(f"load ({args.clients} clients, {args.seconds:.0f} s, searches + document reads + API): "
          f"{result['rps']:,.0f} req/s, p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
          f"p99 {result['p99_ms']:.0f} ms, errors {result['errors']} of {result['requests']}")
    print(f"vs baseline: throughput x{out['throughput_ratio']:.2f}, p95 x{out['p95_ratio']:.2f}")
    print(f"NIE-58 reader, server time: {reader['uncached_median_ms']:.0f} ms rendered "
          f"(p95 {reader['uncached_p95_ms']:.0f} ms), {reader['cached_median_ms']:.1f} ms from the cache "
          "(target < 100 ms)")


if __name__ == "__main__":
    main()
