"""Dukcapil adapter settings (environment: ``DUKCAPIL_BASE_URL``, ``DUKCAPIL_CONCURRENCY``)."""

from pydantic import Field

from runtime.settings import InfraSettings


class DukcapilSettings(InfraSettings):
    """Where Dukcapil is and how hard to press it."""

    dukcapil_base_url: str = Field(default="http://127.0.0.1:8103")
    dukcapil_concurrency: int = Field(default=64, ge=1)
