"""French labels and colours of the pace statuses: text and colour always together.

Colours are from the Okabe-Ito palette, which stays distinct for colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    label: str
    symbol: str
    colour: str
    badge: str  # st.badge colour name


PACE_STATUS = {
    "on_track": Status("Dans la trajectoire", "✔", "#009E73", "green"),
    "watch": Status("À surveiller", "▲", "#E69F00", "orange"),
    "behind": Status("En retard", "✖", "#D55E00", "red"),
    "not_started": Status("Période non commencée", "○", "#8C8C8C", "gray"),
}


def _percents() -> tuple[str, str]:
    """The thresholds of the reference (``rules.toml [pace]``) as whole percents."""
    from sppe_data.reference import pace_thresholds

    pace = pace_thresholds()
    return f"{pace.on_track_from * 100:.0f}", f"{pace.watch_from * 100:.0f}"


def pace_rule() -> str:
    """The rule in words, as captions state it."""
    on_track, watch = _percents()
    return (
        f"Rythme = réalisé ÷ attendu à date. Dans la trajectoire : ≥ {on_track}\u00a0% ; "
        f"à surveiller : {watch} à {on_track}\u00a0% ; en retard : < {watch}\u00a0%."
    )


def pace_bands() -> str:
    """The bands of the bullet charts in words."""
    on_track, watch = _percents()
    return (
        f"Bandes : en retard (< {watch}\u00a0% de l'attendu), à surveiller ({watch} à "
        f"{on_track}\u00a0%), dans la trajectoire."
    )
