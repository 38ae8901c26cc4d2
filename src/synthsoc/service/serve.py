"""Start the server: one uvicorn process on 127.0.0.1 with the job workers inside it."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn

from synthsoc.service.app import create_app
from synthsoc.service.config import ServiceConfig, add_user, load_users

HOST = "127.0.0.1"
LOCAL_USER = "local"


def run_server(config: ServiceConfig, *, port: int, echo: Callable[[str], None]) -> None:
    """Serve until interrupted. With no users file yet, a user ``local`` is created and the
    dashboard address with its token is printed (the token is shown this once)."""
    link = f"http://{HOST}:{port}/"
    if not load_users(config.users_file, config.limits):
        token = add_user(config.users_file, LOCAL_USER, config.limits)
        link += f"#token={token}"
        echo(f"created user {LOCAL_USER!r} in {config.users_file}; its token is in the link")
    echo(f"synthsoc dashboard: {link}")
    echo(f"API docs: http://{HOST}:{port}/docs   data: {config.data_dir}")
    if config.shared_populations:
        echo("shared populations: " + ", ".join(str(p) for p in config.shared_populations))
    uvicorn.run(create_app(config), host=HOST, port=port, log_level="warning",
                timeout_graceful_shutdown=5)
