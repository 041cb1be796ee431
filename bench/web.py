"""The web platform at city scale, each figure beside PostgreSQL's own ceiling in the same run.

    python bench/web.py --ballots 30000 --database postgresql+psycopg://postgres@127.0.0.1/pbp_bench

WARNING: it empties the database it is given (DROP SCHEMA public) and rebuilds it.

1. rebuilds the schema and runs `flask pb bench-data` (a voting-phase cycle `bench` with
   --ballots stored ballots and --voters voters holding API tokens);
2. measures PostgreSQL's single-INSERT commit ceiling with pgbench (a psycopg loop if
   pgbench is not installed);
3. casts through the API under gunicorn, each --variants set-up (sync:N, gthread:NxT) for an
   equal share of the voters, --concurrency at a time, and checks that nothing was lost or
   doubled (--cast-only stops here). The casts are sent by --client: one Python thread on
   non-blocking sockets (one connection per cast, exact latencies), or wrk (C, bench/cast.lua;
   `apt-get install wrk`), which keeps connections alive where the server does (gthread).
   CPU per ballot is given for the gunicorn workers, the PostgreSQL backends of the database
   (those connected at the end), the Redis server (all of its work) and the client, so the
   share of the 2 cores each takes is seen, with the load average;
4. closes voting and counts in a fresh process (time and peak memory of the count), then
   publishes, and counts the exported district file with `pbplatform tally` for the ratio;
5. times the results page at 16 concurrent and the district `ballots.pb` download, alone and
   at 16 concurrent with the home page fetched meanwhile (--results-only: only this step, on
   a database where `bench` is published already, e.g. by an earlier run);
6. with --nginx, times the downloads again through nginx with the repository's configuration
   (config/nginx/pbplatform.conf, plain HTTP on --port+1, its per-address download limit
   lifted) in front of gunicorn with FILE_CACHE_ACCEL_PREFIX, giving nginx's CPU beside the
   workers' and how many downloads nginx answered from its own copy;
7. prints a table, with the load average (on a shared machine figures vary).

Loopback only; every server it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> None:
    args = _parse()
    env = _env(args)
    rows: list[tuple[str, str]] = [("load average at start", _load())]
    if args.results_only:
        _count.seconds = 0.0  # type: ignore[attr-defined]
        with _server(env, args, "sync", args.workers, 1) as server:
            rows += _results(args, server.proc.pid)
        rows += _through_nginx(args, env)
        rows.append(("load average at end", _load()))
        _print(args, rows)
        return
    _reset(args.database)
    _flask(env, "db", "upgrade")
    tokens = Path(tempfile.mkdtemp()) / "tokens.txt"
    started = time.perf_counter()
    _flask(
        env,
        *("pb", "bench-data", "--areas", str(args.areas), "--proposals", str(args.proposals)),
        *("--ballots", str(args.ballots), "--token-voters", str(args.voters)),
        *("--tokens-file", str(tokens), "--rule", args.rule),
    )
    rows.append(("bench-data (build the cycle)", f"{time.perf_counter() - started:.1f} s"))
    rows.append(("PostgreSQL single-INSERT commits", f"{_ceiling(args):,.0f} /s"))
    voters = _voters(args.database, tokens.read_text().split())
    variants = [_variant(v) for v in args.variants.split(",")]
    share = len(voters) // len(variants)
    for i, (kind, workers, threads) in enumerate(variants):
        part = voters[i * share : (i + 1) * share]
        with _server(env, args, kind, workers, threads) as server:
            _cast(args, part[: args.warmup])  # connections, imports
            cpu = _cpu_now(server.proc.pid, args.database)
            run = _cast(args, part[args.warmup :])
            cpu = {k: v - cpu[k] for k, v in _cpu_now(server.proc.pid, args.database).items()}
            rows += _cast_rows(args, kind, workers, threads, run, cpu)
    rows += _check(args, share * len(variants))
    if args.cast_only:
        rows.append(("load average at end", _load()))
        _print(args, rows)
        return
    rows += _count(env)
    with _server(env, args, "sync", args.workers, 1) as server:
        rows += _results(args, server.proc.pid)
    rows += _through_nginx(args, env)
    rows.append(("load average at end", _load()))
    _print(args, rows)


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", required=True, help="emptied and rebuilt!")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--areas", type=int, default=13)
    p.add_argument("--proposals", type=int, default=300)
    p.add_argument("--ballots", type=int, default=30_000)
    p.add_argument("--voters", type=int, default=2_000, help="voters who cast over the API")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--workers", type=int, default=4, help="for the results pages")
    p.add_argument(
        "--variants",
        default="sync:2,gthread:2x8",
        help="gunicorn set-ups that cast, each for an equal share of --voters: "
        "sync:WORKERS or gthread:WORKERSxTHREADS, comma-separated",
    )
    p.add_argument("--warmup", type=int, default=50, help="casts per set-up not timed")
    p.add_argument(
        "--client",
        choices=("python", "wrk"),
        default="python",
        help="who sends the casts: one Python thread on non-blocking sockets (exact latencies)"
        " or wrk (C, bench/cast.lua, keeps connections alive where the server does; its "
        "percentiles include up to concurrency-1 quick answers to the tail's filler requests)",
    )
    p.add_argument("--wrk-threads", type=int, default=1, help="wrk's threads (--client wrk)")
    p.add_argument("--cast-only", action="store_true", help="stop after the casts and check")
    p.add_argument(
        "--results-only",
        action="store_true",
        help="only the results page and downloads, of a `bench` cycle published before",
    )
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--nginx",
        action="store_true",
        help="then the downloads again through nginx (config/nginx/pbplatform.conf, "
        "X-Accel-Redirect) on --port+1 and +2",
    )
    p.add_argument(
        "--link",
        type=float,
        default=0.0,
        help="each download client reads at most this many MB a second, as a resident's "
        "connection would (default: as fast as it can, which makes the client the load)",
    )
    p.add_argument("--rule", default="greedy")
    p.add_argument("--seconds", type=int, default=10, help="per pgbench and results run")
    return p.parse_args()


def _variant(text: str) -> tuple[str, int, int]:
    """'sync:4' -> ('sync', 4, 1); 'gthread:2x8' -> ('gthread', 2, 8)."""
    kind, _sep, size = text.strip().partition(":")
    workers, _x, threads = size.partition("x")
    if kind not in ("sync", "gthread") or not workers.isdigit():
        sys.exit(f"--variants: {text!r} is not sync:N or gthread:NxT")
    return kind, int(workers), int(threads or 1)


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    # Production refuses to start without its secrets; throwaway ones for a bench database.
    env.setdefault("BALLOT_BOX_SECRET", "bench-only-ballot-box-secret")
    env.setdefault("AUDIT_HMAC_KEY", "bench-only-audit-key")
    env.setdefault("DATA_ENCRYPTION_KEY", "YmVuY2gtb25seS1kYXRhLWVuY3J5cHRpb24ta2V5ISE=")
    env.update(
        FLASK_APP="pbplatform",
        PBP_ENV="production",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-secret-key-not-for-production"),
        DATABASE_URL=args.database,
        TRUSTED_HOSTS="127.0.0.1",
        PROXY_HOPS="0",
        RATELIMIT_STORAGE_URI=args.redis,
        # every voter casts from this one address: lift the per-address limits only
        API_ADDRESS_RATE_LIMIT="1000000 per minute",
        RESULT_DOWNLOAD_RATE_LIMIT="1000000 per minute",
    )
    return env


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _psql_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _sql(url: str, *statements: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(_psql_url(url), autocommit=True) as conn:
        rows: list[tuple] = []
        for statement in statements:
            cur = conn.execute(statement)
            rows = cur.fetchall() if cur.description else []
        return rows


def _reset(url: str) -> None:
    _sql(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")


def _flask(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), *argv], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _ceiling(args: argparse.Namespace) -> float:
    """Transactions of one INSERT each per second, --concurrency clients, as the app commits."""
    _sql(args.database, "CREATE TABLE bench_probe (id bigserial PRIMARY KEY, v text)")
    try:
        if shutil.which("pgbench"):
            return _pgbench(args)
        return _insert_loop(args)
    finally:
        _sql(args.database, "DROP TABLE bench_probe")


def _pgbench(args: argparse.Namespace) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_probe (v) VALUES ('x');\n")
    out = subprocess.run(
        ["pgbench", "-n", "-f", script.name, "-c", str(args.concurrency), "-j", "2"]
        + ["-T", str(args.seconds), _psql_url(args.database)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def _insert_loop(args: argparse.Namespace) -> float:
    import psycopg

    def one(_: int) -> int:
        n, end = 0, time.monotonic() + args.seconds
        with psycopg.connect(_psql_url(args.database), autocommit=True) as conn:
            while time.monotonic() < end:
                conn.execute("INSERT INTO bench_probe (v) VALUES ('x')")
                n += 1
        return n

    with ThreadPoolExecutor(args.concurrency) as pool:
        return sum(pool.map(one, range(args.concurrency))) / args.seconds


def _voters(url: str, tokens: list[str]) -> list[tuple[str, list[int]]]:
    """Each token with a valid ballot for its voter: one area project, one district-wide."""
    homes = dict(
        _sql(
            url,
            "SELECT email, home_area_id FROM users WHERE email LIKE 'bench-voter-%'",
        )
    )
    cheapest: dict[int | None, int] = {}
    for pid, area in _sql(url, "SELECT id, area_id FROM proposals ORDER BY officer_cost_minor, id"):
        cheapest.setdefault(area, pid)
    return [
        (token, [cheapest[homes[f"bench-voter-{i}@bench.invalid"]], cheapest[None]])
        for i, token in enumerate(tokens)
    ]


class _server:
    """gunicorn on loopback with sync workers or gthread ones, stopped on leaving."""

    def __init__(
        self, env: dict[str, str], args: argparse.Namespace, kind: str, workers: int, threads: int
    ) -> None:
        self.env, self.args, self.kind = env, args, kind
        self.workers, self.threads = workers, threads

    def __enter__(self) -> _server:
        a = self.args
        argv = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{a.port}"]
        if self.kind == "gthread":
            argv += ["-k", "gthread", "--threads", str(self.threads)]
        argv += ["--timeout", "120", "pbplatform:create_app()"]
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(300):
            try:
                if _get(a.port, "/api/v1/cycles")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _cpu_now(master: int, database: str) -> dict[str, float]:
    """CPU seconds (user + system) used so far: the gunicorn master's workers, the PostgreSQL
    backends of `database`, the Redis server (all of it: shared with anything else using it)
    and this process (the Python client's threads). wrk's own is taken from its exit."""
    name = database.rsplit("/", 1)[-1].split("?")[0]
    totals = {"workers": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, fields = _stat(entry)
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        if int(fields[1]) == master:  # ppid
            totals["workers"] += seconds
        elif comm == "postgres" and f" {name} " in cmdline:
            totals["postgres"] += seconds
        elif comm == "redis-server":
            totals["redis"] += seconds
    times = os.times()
    totals["client"] = times.user + times.system
    return totals


def _worker_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            _comm, fields = _stat(entry)
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _stat(entry: Path) -> tuple[str, list[str]]:
    text = (entry / "stat").read_text()
    comm = text[text.index("(") + 1 : text.rindex(")")]
    return comm, text.rsplit(")", 1)[1].split()


def _get(
    port: int, path: str, headers: dict[str, str] | None = None, rate: float = 0.0
) -> tuple[int, bytes]:
    """The answer's status and body. `rate`: read no faster than that many bytes a second
    (64 KiB at a time), as a client on a link of that speed, so the server's side waits for
    it as it would for a resident."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        if not rate:
            return response.status, response.read()
        started, chunks, got = time.perf_counter(), [], 0
        while chunk := response.read(65536):
            chunks.append(chunk)
            got += len(chunk)
            ahead = got / rate - (time.perf_counter() - started)
            if ahead > 0:
                time.sleep(ahead)
        return response.status, b"".join(chunks)
    finally:
        conn.close()


@dataclass
class _Run:
    """One cast run: answers by status, latencies (seconds), the client's own CPU seconds."""

    statuses: dict[int, int]
    seconds: float
    p50: float
    p95: float
    p99: float
    client_cpu: float | None = None  # None: the Python client, counted in this process


def _cast(args: argparse.Namespace, voters: list) -> _Run:
    return _cast_wrk(args, voters) if args.client == "wrk" else _cast_python(args, voters)


def _cast_python(args: argparse.Namespace, voters: list) -> _Run:
    """One thread, non-blocking sockets: --concurrency casts in flight, each on a connection
    of its own ("Connection: close", read to the end); requests are built before the clock
    starts. Its CPU is this process's."""
    requests = [
        _request(args.port, token, {"selections": [{"proposal_id": p} for p in picks]})
        for token, picks in voters
    ]
    selector = selectors.DefaultSelector()
    answers: list[tuple[int, float]] = []
    queue = iter(requests)

    def start() -> None:
        request = next(queue, None)
        if request is None:
            return
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", args.port))
        selector.register(sock, selectors.EVENT_WRITE, [request, bytearray(), time.perf_counter()])

    started = time.perf_counter()
    for _ in range(args.concurrency):
        start()
    while selector.get_map():
        for key, _mask in selector.select():
            sock, (request, received, began) = key.fileobj, key.data
            try:
                if request:  # writable: send what is left
                    key.data[0] = request[sock.send(request) :]
                    if not key.data[0]:
                        selector.modify(sock, selectors.EVENT_READ, key.data)
                    continue
                if chunk := sock.recv(65536):
                    received += chunk
                    continue
            except OSError:
                received.clear()  # refused or reset: no answer (status 0)
            selector.unregister(sock)
            sock.close()
            answers.append((_status(received), time.perf_counter() - began))
            start()
    took = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    times = sorted(t for _, t in answers)
    return _Run(statuses, took, *(_at(times, q) for q in (0.5, 0.95, 0.99)))


def _request(port: int, token: str, body: dict) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST /api/v1/cycles/bench/ballot HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + data


def _status(response: bytes) -> int:
    """The status code of an HTTP response, 0 if there is none (connection lost)."""
    parts = bytes(response[:32]).split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _cast_wrk(args: argparse.Namespace, voters: list) -> _Run:
    """wrk (C, one thread by default) sends the casts: its CPU is taken from its exit."""
    path = Path(tempfile.mkdtemp()) / "voters.txt"
    path.write_text(
        "".join(
            f"{token} "
            + json.dumps({"selections": [{"proposal_id": p} for p in picks]}, separators=(",", ":"))
            + "\n"
            for token, picks in voters
        )
    )
    threads = str(args.wrk_threads)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk = subprocess.Popen(
        ["wrk", "-t", threads, "-c", str(args.concurrency), "-d", "3600s", "--timeout", "120s"]
        + ["-s", str(ROOT / "bench" / "cast.lua")]
        + [f"http://127.0.0.1:{args.port}/api/v1/cycles/bench/ballot", "--", str(path), threads],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wrk.stderr is not None
    finished = 0
    while finished < args.wrk_threads and (line := _line_within(wrk.stderr, 120)):
        finished += line.strip() == "thread done"
    wrk.send_signal(signal.SIGINT)  # wrk waits out -d otherwise; SIGINT ends it and its report
    out, _err = wrk.communicate(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got = json.loads(next(x for x in out.splitlines() if x.startswith('{"duration_us"')))
    return _Run(
        {int(k): v for k, v in got["statuses"].items()},
        got["duration_us"] / 1e6,
        *(got[f"{q}_us"] / 1e6 for q in ("p50", "p95", "p99")),
        client_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


def _line_within(stream: Any, seconds: float) -> str:
    """The stream's next line, or "" at its end or after `seconds` without one (a stuck run)."""
    ready, _w, _x = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


def _cast_rows(
    args: argparse.Namespace,
    kind: str,
    workers: int,
    threads: int,
    run: _Run,
    cpu: dict[str, float],
) -> list[tuple[str, str]]:
    ok, sent = run.statuses.get(201, 0), sum(run.statuses.values())
    other = sorted(s for s in run.statuses if s != 201)
    label = f"API casts, {kind} ({workers} workers" + (
        f" x {threads} threads)" if kind == "gthread" else ")"
    )
    client = run.client_cpu if run.client_cpu is not None else cpu["client"]
    per = 1000 / max(ok, 1)
    return [
        (
            label,
            f"{ok / run.seconds:.0f} ballots/s ({ok}/{sent} cast, p50 {run.p50 * 1000:.0f} ms, "
            f"p95 {run.p95 * 1000:.0f} ms, p99 {run.p99 * 1000:.0f} ms"
            + (f", other answers {other}" if other else "")
            + f", {args.concurrency} at a time, client {args.client}; "
            f"load average after {_load()})",
        ),
        (
            f"  CPU per ballot ({kind})",
            f"gunicorn workers {cpu['workers'] * per:.1f} ms, PostgreSQL (connected backends) "
            f"{cpu['postgres'] * per:.1f} ms, Redis server {cpu['redis'] * per:.2f} ms (all of "
            f"its work), client ({args.client}) {client * per:.1f} ms "
            "(user+system; less sensitive to other load than the rate)",
        ),
    ]


def _at(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")


def _ms(times: list[float], q: float) -> str:
    return f"{times[min(len(times) - 1, int(q * len(times)))] * 1000:.0f} ms" if times else "-"


def _check(args: argparse.Namespace, voters: int) -> list[tuple[str, str]]:
    """Nothing lost or doubled: stored ballots = participations = bench ballots + casts."""
    (ballots, participations, people), *_ = _sql(
        args.database,
        # cast ballots stay sealed until voting closes
        "SELECT (SELECT count(*) FROM ballots) + (SELECT count(*) FROM sealed_ballots),"
        " (SELECT count(*) FROM participations),"
        " (SELECT count(DISTINCT voter_key) FROM participations)",
    )
    expected = args.ballots + voters
    verdict = "none" if ballots == participations == people == expected else "MISMATCH"
    return [
        (
            "lost or doubled",
            f"{verdict} ({ballots} ballots, {participations} participations, expected {expected})",
        )
    ]


COUNT_CHILD = """
import json, resource, time
from pbplatform import create_app
from pbplatform.extensions import db
app = create_app()
with app.app_context():
    from pbplatform.benchdata import services
    from pbplatform.cycles import services as cycles
    from pbplatform.results.services import publish_results, run_count
    counter, checker = services._staff()
    started = time.perf_counter()
    cycles.open_phase(services.bench_cycle(), "counting", actor=counter)
    db.session.commit()
    closed = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    version = run_count(services.bench_cycle(), counter)
    counted = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    publish_results(version, checker)
    db.session.commit()
    print(json.dumps({"close": closed, "count": counted, "peak": peak, "before": before}))
"""


def _count(env: dict[str, str]) -> list[tuple[str, str]]:
    out = subprocess.run(
        [sys.executable, "-c", COUNT_CHILD], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    _count.seconds = got["count"]  # type: ignore[attr-defined]
    return [
        ("close voting (B's close service)", f"{got['close']:.2f} s"),
        (
            "count from PostgreSQL (run_count)",
            f"{got['count']:.2f} s, process peak {got['peak'] / 1024:.0f} MB "
            f"(+{(got['peak'] - got['before']) / 1024:.0f} MB during the count)",
        ),
    ]


def _results(args: argparse.Namespace, master: int) -> list[tuple[str, str]]:
    rows = []
    started = time.perf_counter()
    status, body = _get(args.port, "/cycles/bench/results/ballots.pb?area=district")
    took = time.perf_counter() - started
    rows.append(
        (
            "district ballots.pb, first download",
            f"{took:.2f} s, {len(body) / 1e6:.1f} MB (a worker's first: copied to its file cache)",
        )
    )
    if _count.seconds:  # type: ignore[attr-defined]
        path = Path(tempfile.mkdtemp()) / "district.pb"
        path.write_bytes(body)
        best = min(_tally(path) for _ in range(3))
        rows.append(
            (
                "pbplatform tally on that file (whole process)",
                f"{best:.2f} s; the web count takes {_count.seconds / best:.1f}x that "  # type: ignore[attr-defined]
                "(it counts every list)",
            )
        )
    rows += _downloads(args, master, gzip=False)
    rows += _downloads(args, master, gzip=True)
    times: list[float] = []

    def page(_: int) -> None:
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            t = time.perf_counter()
            _get(args.port, "/cycles/bench/results")
            times.append(time.perf_counter() - t)

    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(page, range(16)))
    took = time.perf_counter() - started
    times.sort()
    alone = min(_timed_get(args.port, "/cycles/bench/results") for _ in range(3))
    rows.append(
        (
            "results page",
            f"{alone * 1000:.0f} ms alone; at 16 concurrent {len(times) / took:.1f} pages/s, "
            f"p50 {_ms(times, 0.5)}, p95 {_ms(times, 0.95)}",
        )
    )
    return rows


DOWNLOAD = "/cycles/bench/results/ballots.pb?area=district&version=1"  # as the page links it


def _home_times(port: int, until: float) -> list[float]:
    """The home page, one request every 100 ms until `until` (time.monotonic)."""
    times = []
    while time.monotonic() < until:
        times.append(_timed_get(port, "/"))
        time.sleep(0.1)
    return sorted(times)


def _downloads(
    args: argparse.Namespace, master: int, gzip: bool, *, port: int = 0, front: int = 0
) -> list[tuple[str, str]]:
    """The district file at 16 concurrent for --seconds, and the home page meanwhile; the
    gunicorn workers' and this client's CPU per download (less sensitive to other load than
    the times). With `gzip`, asked for as browsers and `curl --compressed` ask for it. `port`:
    where the client asks (default --port); `front`: nginx's master, whose workers' CPU is
    given too."""
    port = port or args.port
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    for _ in range(2 * args.workers):  # every worker's first download fills its file cache
        _get(port, DOWNLOAD, headers)

    def fetch() -> tuple[int, bytes]:
        return _get(port, DOWNLOAD, headers, args.link * 1e6)

    def timed() -> float:
        t = time.perf_counter()
        fetch()
        return time.perf_counter() - t

    alone = sorted(timed() for _ in range(20))
    home_alone = _home_times(port, time.monotonic() + 2)
    times: list[float] = []
    sizes: set[int] = set()

    def download(_: int) -> None:
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            t = time.perf_counter()
            status, body = fetch()
            times.append(time.perf_counter() - t)
            sizes.add(len(body) if status == 200 else -status)

    started, cpu, client = time.perf_counter(), _worker_cpu(master), _own_cpu()
    nginx_cpu = _worker_cpu(front) if front else 0.0
    with ThreadPoolExecutor(17) as pool:
        home = pool.submit(_home_times, port, time.monotonic() + args.seconds)
        list(pool.map(download, range(16)))
        home_times = home.result()
    took, cpu = time.perf_counter() - started, _worker_cpu(master) - cpu
    client = _own_cpu() - client
    nginx_each = (_worker_cpu(front) - nginx_cpu) / (len(times) + len(home_times)) * 1000
    cpu_each = cpu / (len(times) + len(home_times)) * 1000
    client_each = client / (len(times) + len(home_times)) * 1000
    times.sort()
    odd = sorted(s for s in sizes if s < 0)
    size = max(sizes) / 1e6 if max(sizes) > 0 else 0.0
    name = (
        ("gzip, as browsers ask" if gzip else "uncompressed")
        + (", nginx" if front else "")
        + (f", each client reading {args.link:g} MB/s" if args.link else "")
    )
    return [
        (
            f"district ballots.pb download ({name}, {size:.1f} MB)",
            f"alone p50 {_ms(alone, 0.5)}; at 16 concurrent {len(times) / took:.1f} /s, "
            f"p50 {_ms(times, 0.5)}, p95 {_ms(times, 0.95)}, p99 {_ms(times, 0.99)}; "
            f"CPU a request: workers {cpu_each:.1f} ms, this client {client_each:.1f} ms"
            + (f", nginx {nginx_each:.1f} ms" if front else "")
            + (f", other answers {[-s for s in odd]}" if odd else ""),
        ),
        (
            "home page meanwhile",
            f"p50 {_ms(home_times, 0.5)}, p95 {_ms(home_times, 0.95)}, max "
            f"{_ms(home_times, 1.0)} ({len(home_times)} requests; alone p50 "
            f"{_ms(home_alone, 0.5)}, p95 {_ms(home_alone, 0.95)})",
        ),
    ]


def _through_nginx(args: argparse.Namespace, env: dict[str, str]) -> list[tuple[str, str]]:
    """--nginx: the downloads again, through nginx with the repository's configuration
    (plain HTTP on --port+1) in front of gunicorn with FILE_CACHE_ACCEL_PREFIX, so nginx
    sends the bytes and the workers only check the request."""
    if not args.nginx:
        return []
    sys.path.insert(0, str(ROOT))  # config/ is the checkout's, not an installed package
    from config.nginx import loopback

    folder = Path(tempfile.mkdtemp(prefix="pbp-bench-nginx-"))
    folder.chmod(0o755)  # nginx's workers (www-data) read the file cache in it
    cache = folder / "file-cache"
    accel = {
        **env,
        "PROXY_HOPS": "1",
        "FILE_CACHE_DIR": str(cache),
        "FILE_CACHE_ACCEL_PREFIX": "/_files/",
    }
    site = loopback.render(
        host="127.0.0.1",
        app=args.port,
        http=args.port + 2,
        https=args.port + 1,
        files=args.port + 3,
        cache=cache,
        kept=folder / "kept",
        tls=None,
        download_rate="1000000r/s",  # one address asks for them all
    )
    nginx = loopback.start(
        shutil.which("nginx") or "/usr/sbin/nginx", folder, site, folder / "nginx.out"
    )
    try:
        with _server(accel, args, "sync", args.workers, 1) as server:
            rows = []
            for gzip in (False, True):
                rows += _downloads(args, server.proc.pid, gzip, port=args.port + 1, front=nginx.pid)
        log = (folder / "access.log").read_text().splitlines()
        files = sum('accel="/_files/' in line for line in log)
        kept = sum('kept="HIT"' in line for line in log)
        downloads = sum(
            "ballots.pb" in line and "kept=" in line and 'kept=""' not in line for line in log
        )
        rows.append(
            (
                "  of which answered from nginx's copy / asked of the app",
                f"{kept} / {files} of {downloads}",
            )
        )
        return rows
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def _own_cpu() -> float:
    """CPU seconds (user + system) of this process: the download client's own share."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed_get(port: int, path: str, headers: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    _get(port, path, headers)
    return time.perf_counter() - started


def _tally(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "pbplatform"), "tally", str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


def _print(args: argparse.Namespace, rows: list[tuple[str, str]]) -> None:
    print(
        f"\nbench/web.py: {args.ballots:,} stored ballots, {args.areas} areas, "
        f"{args.proposals} proposals, rule {args.rule}, {args.voters} API voters\n"
    )
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure'.ljust(width)} | figure |")
    print(f"|{'-' * (width + 2)}|---|")
    for key, value in rows:
        print(f"| {key.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
