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
5. Issue 16's acceptance routes (the archive page, judgments under several
   filters, the timeline, the most-mentioned entity's page, the judgments and
   events APIs, each also one cursor deep): server time in process with the
   response cache off (every request rendered), p50/p95 and size; then the
   same routes under load from `--route-clients` clients against
   ``declass serve`` (response cache on, as deployed) and against a server
   with the cache off, with the peak RSS of the server process.

Client and server share this machine's cores: the client's own overhead is
part of every latency figure.

    python bench/bench_web.py [--pages 10000] [--clients 200] [--seconds 30] [--db ARCHIVE] [--routes-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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


class PeakRSS:
    """The largest resident memory of a process (and its children) while it runs, sampled."""

    def __init__(self, pid: int) -> None:
        import threading

        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.stopping.is_set():
            try:
                rss = self.proc.memory_info().rss + sum(c.memory_info().rss for c in self.proc.children(True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            self.stopping.wait(0.05)

    def stop(self) -> float:
        self.stopping.set()
        self.thread.join()
        return self.peak / 2**20


def most_used(db: Path) -> tuple[str, str, str]:
    """The canonical name of the entity with the most mentions (the entity page's worst case),
    and the estimative term and the document with the most judgments."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        entity = con.execute("SELECT canonical, count(*) AS n FROM mentions WHERE entity_id IS NOT NULL"
                             " GROUP BY entity_id ORDER BY n DESC LIMIT 1").fetchone()
        term = con.execute("SELECT term, count(*) AS n FROM judgments GROUP BY term ORDER BY n DESC LIMIT 1").fetchone()
        doc = con.execute("SELECT doc_id, count(*) AS n FROM judgments GROUP BY doc_id"
                          " ORDER BY n DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return str(entity[0]), str(term[0]), str(doc[0])


def acceptance_routes(db: Path) -> tuple[dict[str, str], str]:
    """Issue 16's routes, named, with several filters each; and the most-mentioned entity."""
    top, term, doc = most_used(db)
    name = quote(top, safe="")
    routes = {
        "archive": "/",
        "archive_sorted": "/?sort=-redactions",
        "archive_filtered": f"/?redacted=yes&date_from=1953&entity={name}&sort=title",
        "judgments": "/judgments",
        "judgments_band": "/judgments?scale=icd203&min=0.5&max=0.9",
        "judgments_term": f"/judgments?term={quote(term)}",
        "judgments_doc": f"/judgments?doc={quote(doc, safe='')}",  # the document with the most judgments
        "timeline": "/timeline",
        "timeline_entity": f"/timeline?entity={name}",
        "timeline_dates": "/timeline?date_from=1955&date_to=1956-12-31",
        "entity_top": f"/entity/{name}",
        "api_judgments_50": "/api/judgments?limit=50",
        "api_events": "/api/events",
        "api_documents": "/api/documents",
        "redactions": "/redactions",  # the redaction report, most withheld first, with the corpus totals
    }
    return routes, top


def deeper(app: object, routes: dict[str, str]) -> dict[str, str]:
    """Each API route one cursor deep (the second page), read from the first page's ``next``."""
    async def go() -> dict[str, str]:
        out = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",  # type: ignore[arg-type]
                                     timeout=600) as c:
            for name, url in routes.items():
                if url.startswith("/api/"):
                    nxt = (await c.get(url)).json().get("next")
                    if nxt:
                        out[name + "_page2"] = url + ("&" if "?" in url else "?") + f"after={nxt}"
        return out
    return asyncio.run(go())


def route_times(db: Path, routes: dict[str, str], n: int) -> dict[str, dict[str, float]]:
    """Server time of each route in process, response cache off: every request rendered."""
    from declass.web import create_app

    app = create_app(db, cache=False)

    async def go() -> dict[str, dict[str, float]]:
        out = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",  # type: ignore[arg-type]
                                     timeout=600) as c:
            for name, url in routes.items():
                times, cpu, size, status = [], [], 0, 0
                for _ in range(n):
                    t, c0 = time.perf_counter(), time.process_time()
                    r = await c.get(url)
                    times.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - c0)  # this process: what other loads do not inflate
                    size, status = len(r.content), r.status_code
                out[name] = {"url": url, "status": status, "kb": round(size / 1024, 1),
                             "first_ms": round(1000 * times[0], 1),
                             "p50_ms": round(1000 * statistics.median(times), 1),
                             "p95_ms": round(1000 * percentile(times, 0.95), 1),
                             "max_ms": round(1000 * max(times), 1),
                             "cpu_p50_ms": round(1000 * statistics.median(cpu), 1),
                             "cpu_p95_ms": round(1000 * percentile(cpu, 0.95), 1)}
                print(f"  {name:24} {out[name]['p50_ms']:7.1f} ms p50 {out[name]['p95_ms']:7.1f} ms p95 "
                      f"(first {out[name]['first_ms']:.0f} ms; CPU p95 {out[name]['cpu_p95_ms']:.0f} ms)"
                      f" {out[name]['kb']:7.1f} KB  {status}")
        return out
    return asyncio.run(go())


def serve(db: Path, port: int, *, cache: bool) -> subprocess.Popen[bytes]:
    """``declass serve`` (cache on, as deployed), or the same app with the response cache off."""
    if cache:
        cmd = [sys.executable, "-m", "declass", "serve", "--db", str(db), "--port", str(port)]
    else:
        cmd = [sys.executable, "-c", "import sys, uvicorn; from declass.web import create_app; uvicorn.run("
               "create_app(sys.argv[1], cache=False), host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')",
               str(db), str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/static/declass.css", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # connections left open by the load: stop it hard
        proc.kill()
        proc.wait()


def route_load(db: Path, urls: list[str], clients: int, seconds: float, *, cache: bool) -> dict[str, float]:
    """The acceptance routes under load, and the server's peak RSS meanwhile."""
    port = free_port()
    proc = serve(db, port, cache=cache)
    try:
        rss = PeakRSS(proc.pid)
        # each route asked once first, alone: the load measures pages served, the first views (an
        # entity's names counted, with the response cache: every render) are reported apart
        first = []
        for url in urls:
            t = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=600).read()
            first.append(time.perf_counter() - t)
        result = measure(f"http://127.0.0.1:{port}", urls, clients, seconds)
        result["first_views_max_ms"] = round(1000 * max(first), 1)
        result["first_views_total_ms"] = round(1000 * sum(first), 1)
        result["peak_rss_mb"] = round(rss.stop(), 1)
    finally:
        stop(proc)
    return result


def acceptance(db: Path, clients: int, seconds: float, n: int) -> dict[str, object]:
    from declass.web import create_app

    routes, top = acceptance_routes(db)
    routes.update(deeper(create_app(db, cache=False), routes))
    print(f"acceptance routes (most-mentioned entity: {top}), server time in process, cache off:")
    times = route_times(db, routes, n)
    urls = list(routes.values())
    cached = route_load(db, urls, clients, seconds, cache=True)
    uncached = route_load(db, urls, clients, seconds, cache=False)
    worst = max(t["p95_ms"] for t in times.values())
    worst_cpu = max(t["cpu_p95_ms"] for t in times.values())
    load = os.getloadavg()[0]
    print(f"  worst p95 in process: {worst:.0f} ms, CPU {worst_cpu:.0f} ms (target <= 100 ms);"
          f" machine load average {load:.1f} on {os.cpu_count()} cores")
    for label, r in (("declass serve (cache on)", cached), ("cache off", uncached)):
        print(f"  load, {clients} clients, {label}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.0f} ms, "
              f"p95 {r['p95_ms']:.0f} ms, errors {r['errors']} of {r['requests']}, peak RSS {r['peak_rss_mb']} MB")
    return {"most_mentioned_entity": top, "requests_per_route": n, "routes": times, "worst_p95_ms": worst,
            "worst_cpu_p95_ms": worst_cpu, "load_average": round(load, 1), "cores": os.cpu_count(),
            "load_clients": clients, "load_cached": cached, "load_uncached": uncached}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--db", type=Path, help="an archive already built (default: build one of --pages pages)")
    ap.add_argument("--routes-only", action="store_true", help="only the acceptance routes (step 5)")
    ap.add_argument("--route-clients", type=int, default=16, help="clients of the acceptance routes' load")
    ap.add_argument("--route-seconds", type=float, default=20.0)
    ap.add_argument("--route-requests", type=int, default=15, help="requests per route, in process")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "web.json")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="declass-webbench-") as tmp:
        db = args.db or Path(tmp) / "web.db"
        t = time.perf_counter()
        with declass.Archive(db, readonly=args.db is not None) as a:  # a given archive is only read
            if args.db is None:
                a.ingest([sample_dir(), ensure_corpus(args.pages, 1952)])
            every = a.store.documents()
            ids = [d["id"] for d in every]
            pages = sum(d["pages"] or 1 for d in every)
            docs, blocks = a.store.count()
        print(f"archive: {docs} documents, {pages} pages, {blocks} blocks, ready in {time.perf_counter() - t:.0f} s")
        if args.routes_only:
            routes = acceptance(db, args.route_clients, args.route_seconds, args.route_requests)
            out = {"archive": {"documents": docs, "pages": pages, "blocks": blocks}, "acceptance": routes}
            args.out.parent.mkdir(exist_ok=True)
            args.out.write_text(json.dumps(out, indent=2) + "\n")
            return
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
        routes = acceptance(db, args.route_clients, args.route_seconds, args.route_requests)
    out = {"archive": {"documents": len(ids), "pages": pages, "blocks": blocks}, "clients": args.clients,
           "baseline": baseline, "load": result, "reader_nie58": reader,
           "throughput_ratio": result["rps"] / baseline["rps"], "p95_ratio": result["p95_ms"] / baseline["p95_ms"],
           "acceptance": routes}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
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
