"""Reads its configuration into a pydantic-settings class: DATABASE_URL must be set."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str


settings = Settings()
print("connecting to", settings.database_url.split("@")[-1])
