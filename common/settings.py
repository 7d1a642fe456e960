"""Settings: one object, read from ``DISRUPT_*`` environment variables (and an optional file).

Read only at entry points (the CLI, the app) and passed down; nothing else reads the environment.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

# What ingest keeps in its work folder (the data folder, for the command line): named here only.
LEDGER_FILE = "ingest-ledger.db"
REJECTS_FILE = "rejects.csv"


def ledger_path(work_dir: Path) -> Path:
    """The ingest ledger (checkpoints, runs, rejected rows) in an ingest work folder."""
    return work_dir / LEDGER_FILE


def rejects_path(work_dir: Path) -> Path:
    """The rejected rows, as a spreadsheet-safe CSV, in an ingest work folder."""
    return work_dir / REJECTS_FILE


class Settings(BaseSettings):
    """Disrupt's configuration.

    Environment variables (prefix ``DISRUPT_``):
        DISRUPT_DATA_DIR: folder for the store, rejects and generated data (default ``./disrupt-data``).
        DISRUPT_STORE: store URL (default ``sqlite:///<data dir>/graph.db``), or a Neo4j server
            ``neo4j://user@host:7687/database``. Its password, DISRUPT_NEO4J_PASSWORD or the file named by
            DISRUPT_NEO4J_PASSWORD_FILE, is read only where the connection opens (``graph/neo4j_config.py``)
            so that it never sits in this object, a log line or a URL.
        DISRUPT_LOG_LEVEL: DEBUG, INFO, WARNING or ERROR (default WARNING).
        DISRUPT_APP_DB: the app's users and audit log (default ``<data dir>/app.db``).
        DISRUPT_AUTH: ``local`` (users with passwords, the default) or ``oidc`` (Streamlit's ``st.login``,
            configured in ``.streamlit/secrets.toml``; users are added with ``disrupt users add EMAIL --oidc``).
        DISRUPT_BOUNDARIES: ward boundaries GeoJSON for the map (default ``<data dir>/boundaries/wards.geojson``).
        DISRUPT_TILE_URL: a map tile URL template such as ``http://tiles.local/{z}/{x}/{y}.png``; unset means
            a plain boundaries-only basemap. DISRUPT_TILE_ATTRIBUTION: the credit shown for those tiles.
        DISRUPT_IDLE_MINUTES: sign a user out after this many minutes without activity (default 30).
    A file named by ``DISRUPT_ENV_FILE`` (default ``disrupt.env`` in the working folder, if present)
    may set the same names; the environment wins over the file.
    """

    model_config = SettingsConfigDict(env_prefix="DISRUPT_", extra="ignore")

    data_dir: Path = Field(default=Path("disrupt-data"))
    store: str | None = None
    log_level: LogLevel = "WARNING"
    app_db: Path | None = None
    auth: Literal["local", "oidc"] = "local"
    boundaries: Path | None = None
    tile_url: str | None = None
    tile_attribution: str = ""
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("app_db", "boundaries", "tile_url", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def store_url(self) -> str:
        """The store URL, defaulting to the embedded store inside the data folder."""
        return self.store or f"sqlite:///{self.data_dir / 'graph.db'}"

    @property
    def app_db_path(self) -> Path:
        """The app database: users and the audit log."""
        return self.app_db or self.data_dir / "app.db"

    @property
    def boundaries_path(self) -> Path:
        """The ward boundaries GeoJSON the map draws."""
        return self.boundaries or self.data_dir / "boundaries" / "wards.geojson"

    @property
    def ledger_path(self) -> Path:
        """The ingest ledger (checkpoints, runs, rejected rows) beside the store."""
        return ledger_path(self.data_dir)


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Read the settings from the environment and, if it exists, the env file."""
    import os

    path = Path(env_file or os.environ.get("DISRUPT_ENV_FILE", "disrupt.env"))
    return Settings(_env_file=path if path.is_file() else None)  # type: ignore[call-arg]


def configure_logging(level: str) -> None:
    """Send log records to standard error at ``level`` (entry points only)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
