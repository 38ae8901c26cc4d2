"""A callable assistant for the command-line test: it repeats the user's last words."""

from __future__ import annotations


def reply(messages: list[dict[str, str]]) -> str:
    return messages[-1]["content"]
