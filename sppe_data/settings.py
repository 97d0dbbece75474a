"""Settings read from the environment: one place, read on every call (cheap).

- ``SPPE_DATA_DIR``: the data directory (default ``./data``), holding the Parquet
  extracts under ``extracts/`` and, later, the journal file.
- ``SPPE_DATABASE_URL``: the store (what the app writes), e.g.
  ``postgresql://sppe@db.example/sppe``; by default the SQLite file ``sppe.sqlite3`` of
  the data directory.
- ``SPPE_TODAY``: pins "today" (``YYYY-MM-DD``) for reproducible pace figures; by
  default "today" is the data date of the extracts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
QUERIES_DIR = PROJECT_DIR / "queries"
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    pinned_today: date | None
    database_url: str | None = None

    @property
    def extracts_dir(self) -> Path:
        return self.data_dir / "extracts"


def get_settings() -> Settings:
    data_dir = Path(os.environ.get("SPPE_DATA_DIR") or PROJECT_DIR / "data").resolve()
    raw_today = os.environ.get("SPPE_TODAY", "").strip()
    pinned = date.fromisoformat(raw_today) if raw_today else None
    database_url = os.environ.get("SPPE_DATABASE_URL", "").strip() or None
    return Settings(data_dir=data_dir, pinned_today=pinned, database_url=database_url)
