"""No child process outlives synthsoc: the LLM server (and what it starts) and simulation
workers stop on a normal exit, on SIGTERM and on SIGKILL of the parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.timeout(90),
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux signals")]

SRC = str(Path(__file__).resolve().parents[2] / "src")

# A stand-in for llama_cpp.server: answers /v1/models and starts a grandchild of its own.
FAKE_SERVER = r"""
import http.server, subprocess, sys
port, pids = int(sys.argv[1]), sys.argv[2]
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
open(pids, "a").write(f"{child.pid}\n")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""

# The synthsoc side: start the embedded server, record pids, then wait to be killed (or exit).
PARENT = r"""
import os, sys, time
from pathlib import Path
from synthsoc.llm.embedded_server import EmbeddedServer
fake, pids, how = sys.argv[1], sys.argv[2], sys.argv[3]
class Fake(EmbeddedServer):
    def command(self):
        return [sys.executable, "-c", open(fake).read(), str(self.port), pids]
model = Path(pids).with_suffix(".gguf"); model.write_bytes(b"x")
with Fake(model, alias="fake", startup_timeout_s=30) as server:
    open(pids, "a").write(f"{server._process.pid}\n")
    open(pids + ".ready", "w").write("ready")
    if how == "exit":
        raise SystemExit(0)
    time.sleep(120)
"""

WORKERS = r"""
import os, sys, time
from synthsoc.sim.replicates import ProcessPoolRunner
pids = sys.argv[1]
def task(i):
    open(pids, "a").write(f"{os.getpid()}\n")
    time.sleep(120)
    return i
ProcessPoolRunner(2).map(task, [0, 1])
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _spawn(script: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("how", ["exit", "SIGTERM", "SIGKILL", "SIGINT"],
                         ids=lambda h: f"handled-llm-server-{h}")
def test_embedded_server_stops_with_synthsoc(tmp_path: Path, how: str) -> None:
    fake = tmp_path / "fake_server.py"
    fake.write_text(FAKE_SERVER)
    pids = tmp_path / "pids"
    parent = _spawn(PARENT, str(fake), str(pids), "exit" if how == "exit" else "wait")
    try:
        assert _wait_for(lambda: Path(str(pids) + ".ready").exists() or parent.poll() is not None)
        if how != "exit":
            os.kill(parent.pid, getattr(signal, how))
        parent.wait(timeout=30)
        children = _pids(pids)
        assert len(children) == 2
        server, grandchild = children[1], children[0]
        assert _wait_for(lambda: not _alive(server)), "llama server left running"
        if how != "SIGKILL":  # SIGKILL cannot be handled: the kernel kills the server itself
            assert _wait_for(lambda: not _alive(grandchild)), "server's child left running"
    finally:
        for pid in _pids(pids):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"], ids=lambda h: f"handled-sim-workers-{h}")
def test_simulation_workers_die_with_their_parent(tmp_path: Path, how: str) -> None:
    pids = tmp_path / "pids"
    parent = _spawn(WORKERS, str(pids))
    try:
        assert _wait_for(lambda: len(_pids(pids)) == 2)
        os.kill(parent.pid, getattr(signal, how))
        parent.wait(timeout=30)
        for pid in _pids(pids):
            assert _wait_for(lambda p=pid: not _alive(p)), f"worker {pid} left running"
    finally:
        for pid in _pids(pids):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
