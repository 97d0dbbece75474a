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

PACE_RULE = (
    "Rythme = réalisé ÷ attendu à date. Dans la trajectoire : ≥ 95 % ; "
    "à surveiller : 80 à 95 % ; en retard : < 80 %."
)
