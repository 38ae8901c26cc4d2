"""Layer: service. synthsoc as a service: a REST API (FastAPI, OpenAPI documented), jobs (huey
with an embedded SQLite store, each job a child ``synthsoc`` process), token authentication
with per-user limits, and the dashboard, all in one process (``synthsoc serve``)."""

from synthsoc.service.app import create_app
from synthsoc.service.config import ConfigError, Limits, ServiceConfig, add_user

__all__ = ["ConfigError", "Limits", "ServiceConfig", "add_user", "create_app"]
