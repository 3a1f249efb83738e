"""``make run``'s server: stopping it stops the background worker it started, and what that worker started."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes():
    """(pid, parent pid, command line) of every process that runs, read from /proc."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if fields[0] != "Z":  # a zombie has ended; only its parent has not read it yet
            yield int(entry), int(fields[1]), command


def _descendants(root):
    """(pid, command line) of every process below ``root``."""
    processes = list(_processes())
    found, below = [], {root}
    while True:
        more = [(pid, command) for pid, parent, command in processes if parent in below and pid not in below]
        if not more:
            return found
        found += more
        below |= {pid for pid, _command in more}


def _settled(root, quiet=3, limit=90):
    """``_descendants(root)`` once a worker is among them and they have not changed for ``quiet`` seconds."""
    deadline, last, since = time.monotonic() + limit, None, time.monotonic()
    while time.monotonic() < deadline:
        now = _descendants(root)
        if now != last:
            last, since = now, time.monotonic()
        elif any("db_worker" in command for _pid, command in now) and time.monotonic() - since >= quiet:
            return now
        time.sleep(0.5)
    return last or []


def _env(directory):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "KIB_MEDIA_ROOT": str(directory / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("KIB_TESTING", None)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, made once for the tests below."""
    directory = tmp_path_factory.mktemp("serve-demo")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=_env(directory), check=True)
    return directory / "db.sqlite3"


def _as_from_a_terminal():
    """In the server's process before it starts: SIGINT as a terminal's Ctrl-C finds it, whatever the test runner left.

    A process started with SIGINT ignored or blocked keeps it so, and Python then turns no Ctrl-C into
    KeyboardInterrupt: in the full suite the server ignored the test's SIGINT for a minute.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _signals(pid):
    """The ignored and blocked signals of ``pid``, as /proc shows them (for a failure's message)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return [line.strip() for line in status if line.startswith(("SigIgn", "SigBlk"))]
    except OSError:
        return []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_server_stops_its_worker(tmp_path, migrated, signum):
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    env = _env(tmp_path)
    log = (tmp_path / "server.log").open("w")  # a file, not a pipe nobody reads: the server never blocks on it
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve_demo", "--addr", f"127.0.0.1:{_free_port()}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_as_from_a_terminal,
    )
    started = []
    try:
        started = _settled(server.pid)  # the worker, and what it started (its autoreloader's child)
        assert any("db_worker" in command for _pid, command in started), "serve_demo started no worker"
        server.send_signal(signum)
        try:  # serve_demo gives its worker 10 s, then kills it: 60 s leaves room for a loaded machine
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            log.flush()
            tail = (tmp_path / "server.log").read_text()[-1500:]
            pytest.fail(
                f"serve_demo still running 60 s after {signum!r} ({_signals(server.pid)}): "
                f"{_descendants(server.pid)}\n{tail}"
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            running = {pid for pid, _parent, _command in _processes()}
            left = [(pid, command) for pid, command in started if pid in running]
            if not left:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"processes of the worker still running after the server stopped: {left}")
    finally:
        if server.poll() is None:
            server.kill()
        for pid, _parent, _command in _processes():  # what a failure left running: processes on this test's files
            try:
                with open(f"/proc/{pid}/environ", "rb") as environ:
                    mine = str(tmp_path).encode() in environ.read()
                if mine and pid != os.getpid():
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        log.close()
