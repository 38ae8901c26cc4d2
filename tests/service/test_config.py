"""The users file: tokens stored as hashes, and every mistake named with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.service.config import ConfigError, Limits, add_user, load_users, token_hash


def test_add_user_stores_only_the_hash(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    token = add_user(path, "alice", Limits())
    text = path.read_text()
    assert token not in text and token_hash(token) in text
    users = load_users(path, Limits())
    assert users[token_hash(token)].name == "alice"
    assert users[token_hash(token)].max_concurrent_jobs == Limits().max_concurrent_jobs
    with pytest.raises(ConfigError, match="exists already"):
        add_user(path, "alice", Limits())
    with pytest.raises(ConfigError, match="must match"):
        add_user(path, "../x", Limits())


@pytest.mark.parametrize(("body", "message"), [
    ('[[users]]\nname = "a"\ntoken_sha256 = "ab"\n', r"users\[0\]\.token_sha256: must be 64"),
    ('[[users]]\nname = "a"\ntoken_sha256 = "' + "0" * 64 + '"\nmax_jobs = 3\n',
     r"users\[0\]: unknown key\(s\) \['max_jobs'\]"),
    ('[[users]]\nname = "shared"\ntoken_sha256 = "' + "0" * 64 + '"\n', r"users\[0\]\.name"),
    ('[[users]]\nname = "a"\ntoken_sha256 = "' + "0" * 64 + '"\nllm_budget_calls = -1\n',
     r"users\[0\]\.llm_budget_calls: -1"),
    ("users = [", "not valid TOML"),
])
def test_bad_users_file_names_file_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message) as info:
        load_users(path, Limits())
    assert str(path) in str(info.value)
