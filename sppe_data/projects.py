"""French labels and order of the place-creation projects' codes (projects extract)."""

from __future__ import annotations

STAGE_LABELS = {
    "emergence": "Émergence",
    "etude": "Étude",
    "decision_financement": "Décision et financement",
    "travaux": "Travaux",
    "ouvert": "Ouvert",
    "abandonne": "Abandonné",
}
# The funnel: stages a live project goes through, in order (abandoned ones apart).
FUNNEL_STAGES = ["emergence", "etude", "decision_financement", "travaux", "ouvert"]
KIND_LABELS = {
    "eaje": "EAJE",
    "micro_creche": "Micro-crèche",
    "halte_garderie": "Halte-garderie",
    "mam": "Maison d'assistants maternels (MAM)",
    "rpe": "Relais petite enfance (RPE)",
}
NEED_LABELS = {
    "aucun": "Aucun besoin spécifique",
    "horaires_atypiques": "Horaires atypiques",
    "passerelle_ecole": "Passerelle vers l'école",
    "avip": "AVIP (crèche à vocation d'insertion professionnelle)",
}
