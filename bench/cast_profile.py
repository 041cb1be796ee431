"""Where a cast's CPU goes: API casts through the real app in this process, per phase.

    python bench/cast_profile.py --database postgresql+psycopg://postgres@127.0.0.1/pbp_bench \
        --redis redis://127.0.0.1:6379/0 --casts 2000

WARNING: it empties the database it is given (DROP SCHEMA public) and rebuilds it.

It builds a `bench` cycle (`flask pb bench-data`, as bench/web.py does), creates the app with
the production settings (PBP_ENV=production, rate limits in the given Redis, PostgreSQL) in
this process, and calls it as gunicorn would (a WSGI call per cast, `POST
/api/v1/cycles/bench/ballot` with a bearer token, each voter once) --warmup times untimed,
then --casts times timed. PostgreSQL and Redis run elsewhere, so this process's CPU time
(time.process_time) is the web worker's own cost of a cast, whatever else loads the machine.

It prints the CPU per cast in total and per phase. Each phase is a function of the app or of
an extension, wrapped for the run; a phase's figure is its own CPU, without the phases it
calls (so the lines add up to the total: "Flask and Werkzeug" is what remains of the WSGI
call). Beside that, cross-cutting counts: statements sent to PostgreSQL (psycopg's
execute: the pool's pre-ping included), commits, Redis commands (a pipeline counts once),
and the CPU spent inside each. The wrappers cost about a microsecond each, a few per cast.

--cprofile FILE also profiles --casts more casts with cProfile (CPU timer) into FILE (read it
with `python -m pstats FILE`); cProfile's own overhead inflates many small calls, so use it
for where, not for how much.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web  # noqa: E402  (bench/web.py: the same data, environment and ballots)

CLOCK = time.process_time
ROOT_PHASE = "Flask and Werkzeug (request, routing, response, hooks not listed)"

# (label, module, attribute): attribute may be "Class.method". Patched before the app is built
# (extensions bind their hooks at init_app), each where its callers look it up.
PHASES: list[tuple[str, str, str]] = [
    ("session cookie: open", "flask.sessions", "SecureCookieSessionInterface.open_session"),
    ("session cookie: save", "flask.sessions", "SecureCookieSessionInterface.save_session"),
    ("token: hash, SELECT token+owner", "pbplatform.api.auth", "token_user"),
    ("token: hash, SELECT token+owner (Core)", "pbplatform.api.auth", "token_owner"),
    ("cycle: SELECT ... FOR SHARE, areas", "pbplatform.api.writes", "lock_cycle_for_cast"),
    ("cycle: SELECT ... FOR SHARE (Core)", "pbplatform.api.writes", "read_cycle_for_cast"),
    ("body: JSON parse + schema check", "pbplatform.api.writes", "json_body"),
    ("selections", "pbplatform.api.writes", "ballot_selections"),
    ("idempotency key (none sent)", "pbplatform.api.writes", "idempotency.request_key"),
    ("voter key", "pbplatform.api.writes", "voter_key_for"),
    ("voting open?", "pbplatform.voting.services", "require_voting_open"),
    ("eligibility (census, age)", "pbplatform.voting.services", "_check_account_eligible"),
    ("proposals: SELECT with costs", "pbplatform.voting.services", "proposals_with_costs"),
    (
        "proposals: SELECT with costs (Core)",
        "pbplatform.voting.services",
        "ballot_proposals_with_costs",
    ),
    ("rule check (budget)", "pbplatform.voting.services", "check_ballot"),
    ("participation: INSERT", "pbplatform.voting.services", "_record_participation"),
    ("ballot to seal", "pbplatform.voting.services", "_store_ballot"),
    ("seal: sealed box + INSERT", "pbplatform.voting.services", "seal_ballots"),
    ("response JSON", "pbplatform.api.writes", "jsonify"),
]
ENDPOINT = "api.cast"  # its view function is a phase too ("view ... (rest)")

# Cross-cutting: counted and timed inclusively, beside the phases (not on their stack).
COUNTERS: list[tuple[str, str, str]] = [
    ("PostgreSQL statements (psycopg execute)", "psycopg", "Cursor.execute"),
    ("PostgreSQL commits", "psycopg", "Connection.commit"),
    ("Redis commands", "redis", "Redis.execute_command"),
    ("Redis pipelines", "redis.client", "Pipeline.execute"),
]


class Meter:
    """Exclusive CPU per phase (a stack: a phase's time stops while a phase it calls runs)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[str] = []
        self.mark = 0.0
        self.counts: dict[str, int] = defaultdict(int)
        self.inclusive: dict[str, float] = defaultdict(float)

    def reset(self) -> None:
        self.cpu.clear()
        self.calls.clear()
        self.counts.clear()
        self.inclusive.clear()

    def phase(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            now = CLOCK()
            if self.stack:
                self.cpu[self.stack[-1]] += now - self.mark
            self.stack.append(label)
            self.calls[label] += 1
            self.mark = now
            try:
                return fn(*args, **kwargs)
            finally:
                now = CLOCK()
                self.cpu[self.stack.pop()] += now - self.mark
                self.mark = now

        return timed

    def counter(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[label] += 1
            started = CLOCK()
            try:
                return fn(*args, **kwargs)
            finally:
                self.inclusive[label] += CLOCK() - started

        return counted


def _patch(module: str, attribute: str, wrap: Callable[[Callable[..., Any]], Any]) -> bool:
    """Wrap module.attribute; False if the code no longer has it (the list outlives code)."""
    import importlib

    owner: Any = importlib.import_module(module)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part, None)
    found = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
    if found is None:
        return False
    setattr(owner, name, wrap(found))
    return True


def instrument(meter: Meter) -> list[str]:
    """Wrap every phase and counter; the targets not found."""
    missing = []
    for label, module, attribute in PHASES:
        if not _patch(module, attribute, lambda fn, label=label: meter.phase(label, fn)):
            missing.append(f"{module}.{attribute}")
    for label, module, attribute in COUNTERS:
        if not _patch(module, attribute, lambda fn, label=label: meter.counter(label, fn)):
            missing.append(f"{module}.{attribute}")
    return missing


def instrument_app(app: Any, meter: Meter) -> None:
    """Every request hook of the app and its blueprints, and the cast's view, as phases."""
    app.wsgi_app = meter.phase(ROOT_PHASE, app.wsgi_app)
    for kind in ("before_request", "after_request", "teardown_request"):
        for funcs in getattr(app, f"{kind}_funcs").values():
            funcs[:] = [meter.phase(f"{kind}: {_name(f)}", f) for f in funcs]
    app.teardown_appcontext_funcs[:] = [
        meter.phase(f"teardown_appcontext: {_name(f)}", f) for f in app.teardown_appcontext_funcs
    ]
    view = app.view_functions[ENDPOINT]
    app.view_functions[ENDPOINT] = meter.phase(f"view {ENDPOINT} (rest)", view)


def _name(hook: Any) -> str:
    hook = getattr(hook, "func", hook)  # functools.partial (Flask-Limiter's after_request)
    hook = getattr(hook, "__func__", hook)
    return f"{hook.__module__}.{hook.__qualname__}"


def environ(token: str, picks: list[int], port: int) -> dict[str, Any]:
    """The WSGI environ gunicorn builds for the bench client's request."""
    body = json.dumps({"selections": [{"proposal_id": p} for p in picks]}).encode()
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/cycles/bench/ballot",
        "QUERY_STRING": "",
        "RAW_URI": "/api/v1/cycles/bench/ballot",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": f"127.0.0.1:{port}",
        "HTTP_ACCEPT_ENCODING": "identity",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_CONNECTION": "close",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def cast_all(app: Any, environs: list[dict[str, Any]]) -> list[str]:
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        statuses.append(status)

    for env in environs:
        body = app(env, start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
    return statuses


def main() -> None:
    args = _parse()
    env = web._env(args)
    load_before = web._load()
    if args.child_tokens:  # the run under valgrind (--callgrind): the data is built
        voters = web._voters(args.database, Path(args.child_tokens).read_text().split())
    else:
        voters = _build(args, env)
    if args.callgrind:
        _callgrind(args, voters)
        return
    os.environ.update(env)
    meter = Meter()
    missing = instrument(meter)
    from pbplatform import create_app

    app = create_app()
    instrument_app(app, meter)
    batches = _batches(voters, args)
    _expect_created(cast_all(app, next(batches)), "warm-up")
    meter.reset()
    timed = next(batches)
    _instrumentation(args, "on")
    times, started, wall = os.times(), CLOCK(), time.perf_counter()
    _expect_created(cast_all(app, timed), "timed")
    total, wall = CLOCK() - started, time.perf_counter() - wall
    system = os.times().system - times.system
    _instrumentation(args, "off")
    _report(args, meter, (total, system), wall, len(timed), load_before)
    if missing:
        print(f"\nnot in this code (no phase): {', '.join(missing)}")
    if args.cprofile:
        _cprofile(app, next(batches), args.cprofile)


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", required=True, help="emptied and rebuilt!")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--casts", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--ballots", type=int, default=2000, help="stored before the casts")
    p.add_argument("--cprofile", metavar="FILE", help="also cProfile --casts more casts")
    p.add_argument("--port", type=int, default=8000, help="only written into the environ")
    p.add_argument(
        "--callgrind",
        action="store_true",
        help="count the instructions of the timed casts under valgrind (load-independent; "
        "about 100x slower: use --casts 200)",
    )
    p.add_argument("--child-tokens", help=argparse.SUPPRESS)
    return p.parse_args()


def _callgrind(args: argparse.Namespace, voters: list[tuple[str, list[int]]]) -> None:
    """Run the casts again in a child under callgrind, instrumented only while timed."""
    folder = Path(tempfile.mkdtemp())
    tokens, out = folder / "tokens.txt", folder / "callgrind.out"
    tokens.write_text("".join(f"{t}\n" for t, _picks in voters))
    argv = [a for a in sys.argv[1:] if a != "--callgrind"]
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        + [sys.executable, __file__, *argv, "--child-tokens", str(tokens)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    totals = re.search(r"^totals: (\d+)", out.read_text(errors="replace"), re.M)
    assert totals is not None, "no totals in the callgrind output"
    print(f"\ninstructions per cast (callgrind): {int(totals[1]) / args.casts / 1e6:.2f} million")


def _instrumentation(args: argparse.Namespace, state: str) -> None:
    if args.child_tokens:
        subprocess.run(
            ["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True
        )


def _build(args: argparse.Namespace, env: dict[str, str]) -> list[tuple[str, list[int]]]:
    web._reset(args.database)
    web._flask(env, "db", "upgrade")
    tokens = Path(tempfile.mkdtemp()) / "tokens.txt"
    voters = args.warmup + args.casts * (2 if args.cprofile else 1)
    web._flask(
        env,
        *("pb", "bench-data", "--ballots", str(args.ballots)),
        *("--token-voters", str(voters), "--tokens-file", str(tokens)),
    )
    return web._voters(args.database, tokens.read_text().split())


def _batches(
    voters: list[tuple[str, list[int]]], args: argparse.Namespace
) -> Iterator[list[dict[str, Any]]]:
    """Warm-up, timed, profiled: each voter once; environs built before the clock starts."""
    start = 0
    for size in (args.warmup, args.casts, args.casts):
        yield [environ(t, p, args.port) for t, p in voters[start : start + size]]
        start += size


def _expect_created(statuses: list[str], what: str) -> None:
    wrong = {s for s in statuses if not s.startswith("201")}
    if wrong:
        sys.exit(f"{what} casts answered {sorted(wrong)}, not only 201")


def _report(
    args: argparse.Namespace,
    meter: Meter,
    cpu: tuple[float, float],
    wall: float,
    n: int,
    load: str,
) -> None:
    ms = 1000 / n
    total, system = cpu
    print(
        f"\nbench/cast_profile.py: {n} API casts in-process (after {args.warmup} untimed), "
        f"production settings, PostgreSQL + Redis; load average before {load}, after "
        f"{web._load()}\n"
    )
    print(
        f"CPU per cast: {total * ms:.2f} ms, of which system (kernel: sockets, round trips) "
        f"{system * ms:.2f} ms (wall {wall * ms:.2f} ms, one at a time)\n"
    )
    labels = [p[0] for p in PHASES]
    labels = [x for x in meter.calls if x not in labels and x != ROOT_PHASE] + labels
    width = max(len(label) for label in [ROOT_PHASE, *labels])
    print(f"| {'phase (own CPU, without the phases it calls)'.ljust(width)} | ms/cast | share |")
    print(f"|{'-' * (width + 2)}|---:|---:|")
    listed = 0.0
    for label in [*labels, ROOT_PHASE]:
        if meter.calls.get(label):
            listed += meter.cpu[label]
            print(
                f"| {label.ljust(width)} | {meter.cpu[label] * ms:.3f} | "
                f"{meter.cpu[label] / total:.0%} |"
            )
    rest = total - listed
    print(f"| {'outside the WSGI call (this loop)'.ljust(width)} | {rest * ms:.3f} | |")
    print(f"\n| {'cross-cutting (inclusive)'.ljust(width)} | per cast | ms/cast |")
    print(f"|{'-' * (width + 2)}|---:|---:|")
    for label, _module, _attribute in COUNTERS:
        print(
            f"| {label.ljust(width)} | {meter.counts.get(label, 0) / n:.2f} | "
            f"{meter.inclusive.get(label, 0.0) * ms:.3f} |"
        )


@contextmanager
def _profiling(path: str) -> Iterator[None]:
    profile = cProfile.Profile(CLOCK)
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


def _cprofile(app: Any, environs: list[dict[str, Any]], path: str) -> None:
    with _profiling(path):
        _expect_created(cast_all(app, environs), "profiled")
    print(f"\ncProfile of {len(environs)} more casts: {path} (python -m pstats {path})")


if __name__ == "__main__":
    main()
