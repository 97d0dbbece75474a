"""The one clock: "today" for every pace figure.

Pinned by ``SPPE_TODAY`` when set; otherwise the data date written with the extracts
(so figures are those of the extraction day); the system date only when neither exists.
"""

from __future__ import annotations

from datetime import date

from sppe_data.extracts import read_manifest
from sppe_data.settings import get_settings


def data_date() -> date | None:
    return read_manifest(get_settings().extracts_dir).data_date


def today() -> date:
    settings = get_settings()
    if settings.pinned_today:
        return settings.pinned_today
    return data_date() or date.today()
