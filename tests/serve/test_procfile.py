"""`make serve`'s runner (`python -m pbplatform.procfile`): the Procfile's processes start
together from a fresh shell and stop together, on Ctrl-C or when one of them stops."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from pbplatform.procfile import parse

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PBP_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _fresh_env(**extra: str) -> dict[str, str]:
    """A new shell's environment: no FLASK_/PBP_ settings and no venv on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PBP_"))}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env.pop("VIRTUAL_ENV", None)
    env.update(extra)
    return env


def _run(procfile: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pbplatform.procfile", str(procfile), "--grace", "10"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_parse_reads_names_and_commands_in_order():
    text = "# comment\n\nweb: gunicorn -b :${PORT:-5000} app\nworker:  flask pb worker\n"
    assert parse(text) == {"web": "gunicorn -b :${PORT:-5000} app", "worker": "flask pb worker"}
    with pytest.raises(ValueError, match="line 1"):
        parse("not a process line\n")


def test_the_project_procfile_runs_gunicorn_and_a_job_worker():
    processes = parse((ROOT / "Procfile").read_text())
    assert set(processes) == {"web", "worker"}
    assert processes["web"].startswith("gunicorn -w ${WEB_CONCURRENCY:-4} ")
    assert "${PORT:-5000}" in processes["web"]
    assert processes["worker"] == "flask pb worker"


def test_when_one_process_stops_the_others_are_stopped(tmp_path):
    pidfile = tmp_path / "sleeper.pid"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"sleeper: sh -c 'echo $$ > {pidfile}; exec sleep 60'\nfails: sh -c 'sleep 1; exit 3'\n"
    )
    runner = _run(procfile, _fresh_env())
    output, _ = runner.communicate(timeout=30)
    assert runner.returncode == 3, output
    assert "fails exited with status 3" in output
    assert not _alive(int(pidfile.read_text()))


def test_a_second_ctrl_c_kills_what_ignores_the_first(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("stubborn: sh -c 'trap \"\" TERM; sleep 60'\n")
    runner = subprocess.Popen(
        [sys.executable, "-m", "pbplatform.procfile", str(procfile), "--grace", "60"],
        cwd=ROOT,
        env=_fresh_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(1.5)
    runner.send_signal(signal.SIGINT)
    time.sleep(1)
    assert runner.poll() is None  # waiting out the grace period
    started = time.monotonic()
    runner.send_signal(signal.SIGINT)
    output, _ = runner.communicate(timeout=20)
    assert time.monotonic() - started < 10
    assert "killing every process" in output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def test_make_serve_stack_starts_from_a_fresh_shell_and_ctrl_c_stops_both(tmp_path):
    """What `make serve` runs after `flask db upgrade`, on SQLite and Redis: gunicorn answers,
    a worker listens on the queue, and SIGINT stops both (exit status 0)."""
    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc.__class__.__name__})")
    port = int(os.environ.get("PBP_TEST_SERVER_PORTS", "").split(",")[-1] or _free_port())
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    flask = str(Path(sys.executable).with_name("flask"))
    env = _fresh_env(
        DATABASE_URL=database,
        PORT=str(port),
        WEB_CONCURRENCY="1",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        JOBS_REDIS_URL=REDIS_URL,
        JOBS_QUEUE=f"procfile-test-{port}",
    )
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    runner = _run(ROOT / "Procfile", env)
    try:
        deadline = time.monotonic() + 60
        while _healthz(port) != 200:
            assert runner.poll() is None, runner.stdout.read() if runner.stdout else ""
            assert time.monotonic() < deadline, "gunicorn never answered"
            time.sleep(0.3)
        queue = f"procfile-test-{port}"
        while not any(
            queue.encode() in (Redis.from_url(REDIS_URL).hget(w, "queues") or b"")
            for w in Redis.from_url(REDIS_URL).smembers("rq:workers")
        ):
            assert time.monotonic() < deadline, "no worker on the queue"
            time.sleep(0.3)
        runner.send_signal(signal.SIGINT)
        output, _ = runner.communicate(timeout=60)
        assert runner.returncode == 0, output
        assert "started web" in output
        assert "started worker" in output
        assert _healthz(port) is None
        workers = Redis.from_url(REDIS_URL).smembers("rq:workers")
        assert not any(
            queue.encode() in (Redis.from_url(REDIS_URL).hget(w, "queues") or b"") for w in workers
        )
        assert "warm shut down" in output.lower() or "shutting down" in output.lower(), output
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
