"""Settings of a synthsoc server: where it keeps runs, who may use it, and each user's limits.

Users and their tokens live in a TOML file (``users.toml`` in the data folder unless given)::

    [[users]]
    name = "alice"
    token_sha256 = "..."          # SHA-256 of the token; `synthsoc serve --add-user` writes it
    max_concurrent_jobs = 2       # optional, else the server default
    llm_budget_calls = 2000       # optional, else the server default

Only the SHA-256 of a token is stored, so the file does not give access on its own.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from synthsoc.atomic import write_text

USER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
SHARED_OWNER = "shared"


class ConfigError(ValueError):
    """A users file or server setting that cannot be used (names the file and field)."""


@dataclass(frozen=True)
class Limits:
    """Per-user limits and upload sizes."""

    max_concurrent_jobs: int = 2
    llm_budget_calls: int = 2000
    max_upload_bytes: int = 2_000_000
    max_replicates: int = 50
    min_scale: float = 0.0005
    max_scale: float = 0.05
    job_timeout_s: float = 3600.0


@dataclass(frozen=True)
class User:
    """One user of the server: name, token hash and own limits."""

    name: str
    token_sha256: str
    max_concurrent_jobs: int
    llm_budget_calls: int


@dataclass(frozen=True)
class ServiceConfig:
    """Everything a server needs: data folder, users file, limits, shared populations."""

    data_dir: Path
    users_file: Path
    limits: Limits = field(default_factory=Limits)
    shared_populations: tuple[Path, ...] = ()
    workers: int = 2

    @property
    def runs_db(self) -> Path:
        return self.data_dir / "runs.sqlite"

    @property
    def queue_db(self) -> Path:
        return self.data_dir / "queue.sqlite"

    def user_dir(self, user: str) -> Path:
        return self.data_dir / "users" / user

    def llm_counter(self, user: str) -> Path:
        """The user's counter of LLM calls made by their jobs (shared by all of them)."""
        return self.user_dir(user) / "llm_calls.json"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_users(path: Path, limits: Limits) -> dict[str, User]:
    """Users by token hash; a missing file means no users (every request is refused)."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    entries = raw.get("users", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `users` must be an array of tables ([[users]])")
    users: dict[str, User] = {}
    known = {"name", "token_sha256", "max_concurrent_jobs", "llm_budget_calls"}
    for i, entry in enumerate(entries):
        where = f"{path}: users[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed {sorted(known)}")
        name, digest = entry.get("name"), entry.get("token_sha256")
        if not isinstance(name, str) or not USER_NAME.match(name) or name == SHARED_OWNER:
            raise ConfigError(f"{where}.name: {name!r} must match {USER_NAME.pattern} "
                              f"and not be {SHARED_OWNER!r}")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ConfigError(f"{where}.token_sha256: must be 64 hex digits")
        jobs = entry.get("max_concurrent_jobs", limits.max_concurrent_jobs)
        budget = entry.get("llm_budget_calls", limits.llm_budget_calls)
        for key, value in (("max_concurrent_jobs", jobs), ("llm_budget_calls", budget)):
            if not isinstance(value, int) or value < 0:
                raise ConfigError(f"{where}.{key}: {value!r} must be a whole number >= 0")
        if any(u.name == name for u in users.values()):
            raise ConfigError(f"{where}.name: {name!r} is listed twice")
        users[digest] = User(name, digest, jobs, budget)
    return users


def add_user(path: Path, name: str, limits: Limits) -> str:
    """Add ``name`` with a new random token to the users file; returns the token (shown once)."""
    if not USER_NAME.match(name) or name == SHARED_OWNER:
        raise ConfigError(f"user name {name!r} must match {USER_NAME.pattern} "
                          f"and not be {SHARED_OWNER!r}")
    users = load_users(path, limits)
    if any(u.name == name for u in users.values()):
        raise ConfigError(f"{path}: user {name!r} exists already")
    token = secrets.token_urlsafe(24)
    text = path.read_text(encoding="utf-8") if path.is_file() else (
        "# synthsoc server users: only token hashes are stored\n")
    text += f'\n[[users]]\nname = "{name}"\ntoken_sha256 = "{token_hash(token)}"\n'
    write_text(path, text)
    return token
