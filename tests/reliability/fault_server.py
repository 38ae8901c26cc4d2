"""An OpenAI-compatible server that misbehaves on purpose: one fault per mode."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD = {"choices": [{"message": {"role": "assistant", "content": "안녕하세요"}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3}}


def _body(mode: str) -> tuple[int, bytes]:
    usage = {"usage-negative": {"prompt_tokens": -1000000, "completion_tokens": -5},
             "usage-zero": {"prompt_tokens": 0, "completion_tokens": 0},
             "usage-string": {"prompt_tokens": "lots", "completion_tokens": None},
             "usage-float": {"prompt_tokens": 1.5, "completion_tokens": 2.5},
             "usage-huge": {"prompt_tokens": 10**12, "completion_tokens": 10**12},
             "usage-bool": {"prompt_tokens": True, "completion_tokens": False},
             "usage-list": {"prompt_tokens": [1], "completion_tokens": {}}}
    if mode in usage:
        return 200, json.dumps({**GOOD, "usage": usage[mode]}).encode()
    if mode.startswith("http"):
        return int(mode[4:]), b'{"error": {"message": "nope"}}'
    bodies: dict[str, Any] = {
        "ok": GOOD,
        "no-usage": {"choices": GOOD["choices"]},
        "usage-not-object": {**GOOD, "usage": "free"},
        "no-choices": {"choices": []},
        "choices-not-list": {"choices": "abc"},
        "no-message": {"choices": [{}]},
        "content-null": {"choices": [{"message": {"content": None}}]},
        "content-number": {"choices": [{"message": {"content": 42}}]},
        "content-object": {"choices": [{"message": {"content": {"a": 1}}}]},
        "top-level-list": [1, 2],
    }
    if mode in bodies:
        return 200, json.dumps(bodies[mode]).encode()
    raw = {"garbage": b"<html>502 Bad Gateway</html>", "empty-body": b"",
           "truncated-json": b'{"choices": [{"message"', "binary": b"\x00\xff\xfe",
           "invalid-utf8": b'{"choices": [{"message": {"content": "\xff\xfe"}}]}'}
    return 200, raw[mode]


class FaultServer:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.calls += 1
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                if fake.mode == "stall":
                    time.sleep(30)
                    return
                if fake.mode == "close":
                    self.connection.close()
                    return
                if fake.mode == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    for _ in range(300):
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.1)
                    return
                status, data = _body(fake.mode)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.do_POST()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"


@contextmanager
def fault_server(mode: str) -> Iterator[FaultServer]:
    server = FaultServer(mode)
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.http.shutdown()
        server.http.server_close()
