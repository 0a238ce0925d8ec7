"""CEISA adapter settings."""

from pydantic import Field

from runtime.settings import InfraSettings


class CeisaSettings(InfraSettings):
    """The sender name written into every document header."""

    ceisa_sender: str = Field(default="INSW")
