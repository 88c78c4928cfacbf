"""Load driver for the mixed-load benchmark; runs in its own process (no Django).

    python -m catalogue.datagen.load PLAN.json

PLAN: {"host", "port", "duration", "concurrency": [1, 2, ...], "requests": [{"weight", "method",
"path", "headers", "body"}], "seed"}. For each concurrency level, that many threads with
keep-alive connections send weighted-random requests for `duration` seconds; prints one
JSON line per level: requests per second, median and p95 latency (ms), errors.
"""

import http.client
import json
import random
import sys
import threading
import time


def _worker(plan: dict, stop_at: float, seed: int, out: list, errors: list) -> None:
    rng = random.Random(seed)
    requests = plan["requests"]
    weights = [r["weight"] for r in requests]
    conn = http.client.HTTPConnection(plan["host"], plan["port"], timeout=30)
    while time.perf_counter() < stop_at:
        req = rng.choices(requests, weights)[0]
        path = req["path"] if isinstance(req["path"], str) else rng.choice(req["path"])
        body = json.dumps(req["body"]).encode() if req.get("body") is not None else None
        start = time.perf_counter()
        try:
            conn.request(req["method"], path, body=body, headers=req.get("headers", {}))
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(plan["host"], plan["port"], timeout=30)
            status = 599
        elapsed = time.perf_counter() - start
        out.append(elapsed)
        if status >= 400:
            errors.append(status)
    conn.close()


def run_level(plan: dict, concurrency: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    stop_at = time.perf_counter() + plan["duration"]
    threads = [
        threading.Thread(
            target=_worker, args=(plan, stop_at, plan.get("seed", 1) * 1000 + i, latencies, errors)
        )
        for i in range(concurrency)
    ]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    ordered = sorted(latencies) or [0.0]
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "median_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "errors": len(errors),
        "error_statuses": sorted(set(errors))[:5],
    }


def main(path: str) -> None:
    with open(path) as handle:
        plan = json.load(handle)
    for level in plan["concurrency"]:
        print(json.dumps(run_level(plan, level)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
