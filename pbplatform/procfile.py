"""Run the processes of a Procfile together, and stop them together (`make serve`).

`python -m pbplatform.procfile [Procfile] [name ...]` starts every line `name: command` (or
only the names given) through `/bin/sh -c`, so `${PORT:-5000}` and the like expand from the
environment, with this interpreter's directory first on PATH (the venv's `gunicorn` and
`flask` are found from a fresh shell). Each child runs in its own process group, so Ctrl-C
reaches only this runner, which sends every child SIGTERM once (gunicorn and the RQ worker
both shut down gracefully on it: requests and the running job finish) and SIGKILL after
`--grace` seconds, or at once on a second Ctrl-C. When one child exits by itself the others
are stopped the same way and the runner exits with that child's status: the stack runs
whole or not at all.

Standard library only, no Flask: the runner is not part of the application.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


def parse(text: str) -> dict[str, str]:
    """The Procfile's processes in order, name -> command (blank and # lines skipped)."""
    processes: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if match is None:
            raise ValueError(f"Procfile line {number}: expected 'name: command', got {raw!r}")
        processes[match[1]] = match[2]
    return processes


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class Stack:
    def __init__(self, processes: dict[str, str], grace: float) -> None:
        self.processes = processes
        self.grace = grace
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def start(self) -> None:
        env = _environment()
        for name, command in self.processes.items():
            child = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"], env=env, start_new_session=True
            )
            self.children[name] = child
            _say(f"started {name} (pid {child.pid}): {command}")

    def request_stop(self, signum: int, _frame: object) -> None:
        if self.stopping:  # a second Ctrl-C: no more waiting
            _say(f"{signal.Signals(signum).name} again: killing every process")
            for child in self.children.values():
                _signal(child, signal.SIGKILL)
            return
        _say(f"{signal.Signals(signum).name}: stopping every process")
        self.stopping = True

    def wait(self) -> int:
        """Until a stop is asked for or a child exits; then stop the rest. The exit status."""
        status = 0
        while not self.stopping:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    _say(f"{name} exited with status {code}: stopping the others")
                    status = code or 1
                    self.stopping = True
                    break
            else:
                time.sleep(0.2)
        self.stop()
        return status

    def stop(self) -> None:
        running = [c for c in self.children.values() if c.poll() is None]
        for child in running:
            _signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in running:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(child, signal.SIGKILL)
                child.wait()
        # Whatever a child started in its group (a forked gunicorn worker) goes with it.
        for child in self.children.values():
            _signal(child, signal.SIGKILL)


def _signal(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _say(message: str) -> None:
    print(f"[procfile] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pbplatform.procfile", description=__doc__)
    parser.add_argument("procfile", nargs="?", default="Procfile")
    parser.add_argument("names", nargs="*", help="only these processes (default: all)")
    parser.add_argument("--grace", type=float, default=30.0, help="seconds before SIGKILL")
    args = parser.parse_args(argv)
    processes = parse(Path(args.procfile).read_text(encoding="utf-8"))
    unknown = set(args.names) - set(processes)
    if unknown:
        parser.error(f"not in {args.procfile}: {', '.join(sorted(unknown))}")
    if args.names:
        processes = {n: c for n, c in processes.items() if n in args.names}
    stack = Stack(processes, args.grace)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stack.request_stop)
    stack.start()
    return stack.wait()


if __name__ == "__main__":
    sys.exit(main())
