"""Fixtures of the service tests: one real server (``synthsoc serve`` in a child process on
127.0.0.1) with two users, a headless Debian chromium driven by Playwright, and one tiny
population (Sejong at scale 0.002, about 800 persons) created once per session through the
dashboard's own form."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from synthsoc.service.config import Limits, add_user

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artifacts" / "service"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
POPULATION_REGION = "세종특별자치시"
POPULATION_SCALE = 0.002
JOB_TIMEOUT_S = 240.0
QUESTIONNAIRE_FOR_RESTART = (
    "id: r\nsegments: [sex]\nquestions:\n  - id: q1\n    type: single_choice\n"
    "    text: {ko: 선택}\n    options:\n      - {id: A, ko: 가}\n      - {id: B, ko: 나}\n",
    "sex,q1\n" + "".join(f"{s},{a}\n" for s in "MF" for a in "AABBA"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``synthsoc serve`` child process; ``restart`` kills it (SIGKILL) and starts it again
    on the same data folder and port."""

    data: Path
    port: int
    tokens: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synthsoc", "serve", "--data", str(self.data),
                 "--port", str(self.port), *self.extra],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                # Not the repository: its out/demo/population, when `make demo` made one,
                # would be shared with every test user.
                cwd=self.data.parent)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60,
                            headers={"Authorization": f"Bearer {self.tokens[user]}"})


def wait_run(client: httpx.Client, run_id: str, timeout: float = JOB_TIMEOUT_S) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/runs/{run_id}").raise_for_status().json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} did not finish in {timeout} s")


def start_server(root: Path, extra: list[str] | None = None) -> Server:
    data = root / "data"
    data.mkdir(parents=True)
    users = data / "users.toml"
    tokens = {name: add_user(users, name, Limits()) for name in ("alice", "bob")}
    server = Server(data, free_port(), tokens, root / "server.log", extra=extra or [])
    server.start()
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("service"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (make test does)")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def dashboard(chromium: Any, server: Server) -> Iterator[Any]:
    """A fresh browser context (its own profile) on the dashboard, logged in as alice."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/#token={server.tokens['alice']}")
    page.wait_for_selector("#app:not([hidden])")
    # start-up ends by marking the body: every list is loaded, so clicks meet a settled page
    page.wait_for_selector("body[data-ready=true]", state="attached")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@dataclass(frozen=True)
class CreatedPopulation:
    id: str
    folder: Path
    fit_text: str
    job_text: str


@pytest.fixture(scope="session")
def population(chromium: Any, server: Server) -> CreatedPopulation:
    """The session's population, made through the dashboard form (the first journey)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/#token={server.tokens['alice']}")
    page.wait_for_selector("#app:not([hidden])")
    page.wait_for_selector("body[data-ready=true]", state="attached")  # start-up lists loaded
    page.fill("#population-form input[name=scale]", str(POPULATION_SCALE))
    page.fill("#population-form input[name=region]", POPULATION_REGION)
    page.click("#population-create")
    page.wait_for_function(
        "document.querySelector('#population-job').textContent.includes('running')"
        " || document.querySelector('#population-job').textContent.includes('succeeded')",
        timeout=60_000)
    job_seen = page.text_content("#population-job") or ""
    page.wait_for_function(
        "document.querySelector('#population-job').textContent.includes('succeeded')",
        timeout=JOB_TIMEOUT_S * 1000)
    page.wait_for_selector("#pyramid line.official", state="attached")
    page.screenshot(path=str(ARTEFACTS / "population.png"), full_page=True)
    pop_id = page.eval_on_selector("#population-select", "s => s.value")
    fit_text = page.text_content("#fit-table") or ""
    context.close()
    folder = server.data / "users" / "alice" / "populations" / pop_id
    return CreatedPopulation(pop_id, folder, fit_text, job_seen)
