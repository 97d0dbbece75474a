"""Demonstration records of the committee's governance, written through the data layer
(validated, audited) by a demonstration Cnaf account: orientations, experiments, the
2024 plan's progress and later milestones, COPIL and monthly committee meetings with
decisions and actions, service contracts with their reviews, the 2024 pivot-Caf
candidates. Deterministic (no randomness); every date is on or before ``as_of``; the
submission tokens make a second run write nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sppe_data.auth import Principal
from sppe_data.governance import model, register

AUTHOR = Principal("demonstration", "Démonstration", "cnaf")


@dataclass(frozen=True)
class Seeded:
    created: dict[str, int]  # kind -> records created by this run


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _months_before(as_of: date, count: int) -> list[tuple[int, int]]:
    year, month, out = as_of.year, as_of.month, []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


ORIENTATIONS = {
    2024: [
        ("Installer les cinq pôles et leurs équipes", "Cnaf – Dpfas",
         "audits_terrain,controles_appui_plans"),
        ("Construire et tester les protocoles de contrôle EAJE PSU et MC Paje", "Pôle Mar",
         "controles_sensibles,controles_multi_dep"),
    ],
    2025: [
        ("Prioriser l'ingénierie sur les territoires à fort besoin de places", "Cepaje",
         "etudes_consulting,suivis_ida"),
        ("Couvrir les plans de contrôle départementaux de toutes les Caf", "Pôle Mar",
         "controles_appui_plans"),
    ],
    2026: [
        ("Atteindre les cibles annuelles sur un exercice complet", "Cnaf – Dpfas",
         "audits_terrain,controles_appui_plans,controles_sensibles,controles_multi_dep,"
         "etudes_consulting,suivis_ida"),
        ("Mesurer l'impact financier des contrôles multi-départementaux", "Pôle Mar",
         "controles_multi_dep"),
        ("Diffuser le kit IDA actualisé dans toutes les Caf", "Cepaje", "suivis_ida"),
    ],
}  # fmt: skip

EXPERIMENTS = [
    ("Contrôle sur pièces à distance des MC Paje", "centre_est", "centre_est,mediterranee",
     date(2025, 3, 3), None, "en_cours", None, "Coordinatrice du pôle Centre-Est"),
    ("Diagnostic territorial partagé avec les pôles PROSE", "atlantique", "atlantique",
     None, None, "propose", None, "Expert en ingénierie, pôle Atlantique"),
    ("Kit IDA numérique pour les Caf", None, "", date(2024, 9, 2), date(2025, 6, 30),
     "evaluee", "Adopté par 41 Caf ; le module de suivi des places reste à simplifier.",
     "Cepaje"),
    ("Appui aux appels à projets européens pour les crèches", "mediterranee", "mediterranee",
     date(2024, 10, 1), date(2025, 2, 28), "arretee",
     "Calendrier des appels européens incompatible avec celui des projets de crèches.",
     "Coordinateur du pôle Méditerranée"),
]  # fmt: skip

# 2024 plan: what became of it (milestone number -> status, evidence); the rest is done.
PLAN_2024_OUTCOME = {
    5: ("fait", "Recrutements achevés en septembre 2024 (2 postes vacants jusque-là)."),
    19: ("en_cours", "Accompagnement engagé avec 12 Caf sur 20 prévues."),
}
LATER_PLANS = {
    2025: [
        (1, None, "Déployer le tableau de bord de pilotage dans les cinq pôles",
         date(2025, 3, 31), "fait"),
        (1, "atlantique", "Conventions d'accès aux outils des Caf du ressort",
         date(2025, 6, 30), "fait"),
        (2, None, "Bilan annuel de la mission au COPIL de décembre", date(2025, 12, 9), "fait"),
    ],
    2026: [
        (1, None, "Mettre à jour les protocoles de contrôle MC Paje", date(2026, 4, 30),
         "fait"),
        (1, "centre_ouest", "Couvrir les 13 Caf du pôle par au moins un contrôle",
         date(2026, 6, 30), "en_cours"),
        (2, None, "Évaluer l'expérimentation de contrôle à distance", date(2026, 10, 31),
         "a_faire"),
        (2, "idf_hdf", "Lancer les missions d'ingénierie de Seine-Saint-Denis",
         date(2026, 12, 15), "a_faire"),
    ],
}  # fmt: skip

COPIL_DATES = [date(y, m, d) for y in range(2024, 2031) for m, d in ((6, 25), (12, 10))]
COPIL_DECISIONS = [
    "Cibles annuelles confirmées ; le 2e semestre porte l'effort sur les contrôles multi-"
    "départementaux.",
    "Le pôle Centre-Est expérimente le contrôle à distance des MC Paje.",
]
CONTRACTS = [  # pivot Caf, pôle, signed on
    ("21", "centre_est", date(2024, 4, 15)),
    ("52", "centre_est", date(2024, 4, 15)),
    ("30", "mediterranee", date(2024, 4, 22)),
    ("59", "idf_hdf", date(2024, 4, 30)),
    ("33", "atlantique", date(2024, 4, 30)),
]
REVIEW_DATES = [date(y, m, d) for y in range(2024, 2031) for m, d in ((6, 12), (12, 4))]
# caf, zone, controllers, CCD, delay, productivity, impact €, places, general, transport, premises
CANDIDATES = [
    ("59", "idf_hdf", 9, 6, 45.0, 112.0, 1_450_000.0, 5_200, 4.0, 5.0, True),
    ("75", "idf_hdf", 12, 4, 95.0, 98.0, 1_900_000.0, 7_800, 3.0, 5.0, False),
    ("93", "idf_hdf", 7, 3, 120.0, 88.0, 900_000.0, 3_100, 2.0, 4.0, True),
    ("33", "atlantique", 8, 5, 60.0, 105.0, 1_100_000.0, 4_300, 4.0, 4.0, True),
    ("17", "atlantique", 3, 2, 75.0, 93.0, 400_000.0, 1_200, 4.0, 2.0, True),
    ("35", "centre_ouest", 6, 4, 50.0, 101.0, 850_000.0, 3_600, 4.0, 4.0, True),
    ("45", "centre_ouest", 4, 3, 85.0, 90.0, 600_000.0, 2_100, 3.0, 3.0, False),
]  # fmt: skip


def seed(as_of: date) -> Seeded:
    """Writes the demonstration records dated on or before ``as_of`` (once)."""
    created: dict[str, int] = {}

    def put(kind: str, raw: dict, token: str, record_id: str | None = None) -> str:
        saved = register.save(AUTHOR, kind, raw, record_id=record_id, token=f"demo-{token}")
        created[kind] = created.get(kind, 0) + int(saved.created)
        return saved.entity_id

    orientation_ids = {}
    for year, items in ORIENTATIONS.items():
        if date(year, 1, 15) > as_of:
            continue
        for n, (title, owner, codes) in enumerate(items, start=1):
            orientation_ids[(year, n)] = put(
                "orientation",
                {"year": year, "title": title, "owner": owner, "indicator_codes": codes,
                 "details": "Adoptée par le COPIL stratégique."},
                f"orientation-{year}-{n}",
            )  # fmt: skip

    for n, (title, lead, poles, start, end, status, learnt, owner) in enumerate(EXPERIMENTS):
        if start and start > as_of:
            continue
        put(
            "experiment",
            {"title": title, "lead_pole_code": lead, "pole_codes": poles, "started_on": start,
             "ended_on": end if end and end <= as_of else None,
             "status": status if not end or end <= as_of else "en_cours",
             "learnings": learnt if end and end <= as_of else None, "owner": owner},
            f"experiment-{n}",
        )  # fmt: skip

    plan = register.records("milestone", year=2024)
    for row in plan.iter_rows(named=True):
        if row["updated_by"] is not None or row["due_on"] > as_of:
            continue  # changed by someone, or not yet due: left as it is
        number = int(row["milestone_id"].rsplit("-", 1)[1])
        status, evidence = PLAN_2024_OUTCOME.get(number, ("fait", "Compte rendu du COPIL."))
        raw = {f: row[f] for f in model.KINDS["milestone"].field_names}
        put("milestone", {**raw, "status": status, "evidence": evidence}, "x",
            record_id=row["milestone_id"])  # fmt: skip
    for year, items in LATER_PLANS.items():
        if date(year, 1, 15) > as_of:
            continue
        for n, (half, pole, title, due, status) in enumerate(items, start=1):
            put(
                "milestone",
                {"year": year, "half": half, "pole_code": pole, "title": title, "due_on": due,
                 "status": status if due <= as_of or status != "fait" else "en_cours",
                 "owner": "Cnaf – Dpfas" if pole is None else "Direction de la Caf pivot"},
                f"milestone-{year}-{n}",
            )  # fmt: skip

    _meetings(as_of, put, orientation_ids)

    contract_ids = []
    for caf, pole, signed in CONTRACTS:
        if signed > as_of:
            continue
        contract_ids.append(
            put(
                "contract",
                {"caf_code": caf, "pole_code": pole, "signed_on": signed, "starts_on":
                 date(2024, 5, 2), "ends_on": date(2027, 12, 31), "objectives":
                 "Accueillir l'équipe du pôle (7 à 9 collaborateurs), en assurer le "
                 "management de proximité et la déclinaison du plan de travail."},
                f"contract-{caf}",
            )
        )  # fmt: skip
    for n, contract_id in enumerate(contract_ids):
        dates = [d for d in REVIEW_DATES if d <= as_of]
        if n == len(contract_ids) - 1:
            dates = dates[:1]  # one pivot Caf behind on its semester reviews
        for d in dates:
            put(
                "review",
                {"contract_id": contract_id, "reviewed_on": d,
                 "points_raised": "Effectifs, activité du semestre, frais de déplacement.",
                 "follow_up": "Trajectoire des ETP confirmée."},
                f"review-{contract_id}-{d.isoformat()}",
            )  # fmt: skip

    if as_of >= date(2024, 1, 19):  # candidacies closed on 19/01/2024
        for caf, zone, ctrl, ccd, delay, prod, impact, places, gen, transp, ready in CANDIDATES:
            put(
                "candidate",
                {"campaign": 2024, "caf_code": caf, "pole_code": zone,
                 "controller_hires_5y": ctrl, "ccd_hires_5y": ccd, "hiring_delay_days": delay,
                 "control_productivity": prod, "financial_impact_eur": impact,
                 "places_financed_2018_2022": places, "general_situation_score": gen,
                 "transport_score": transp, "premises_ready": ready},
                f"candidate-2024-{caf}",
            )  # fmt: skip
    return Seeded(created)


def _meetings(as_of: date, put, orientation_ids: dict) -> None:
    for n, held in enumerate(d for d in COPIL_DATES if d <= as_of):
        meeting = register.meeting_for(AUTHOR, "copil", held)
        put("decision", {"meeting_id": meeting, "text": COPIL_DECISIONS[n % 2]},
            f"copil-decision-{held}")  # fmt: skip
        due = held + timedelta(days=60)
        closed = due - timedelta(days=5)
        done = closed <= as_of and n % 3 != 2  # every third stays open (late once due)
        put(
            "action",
            {"meeting_id": meeting, "pole_code": None, "owner": "Cnaf – Dpfas",
             "title": "Présenter le bilan des contrôles multi-départementaux", "due_on": due,
             "status": "faite" if done else "ouverte", "closed_on": closed if done else None,
             "orientation_id": orientation_ids.get((held.year, 1))},
            f"copil-action-{held}",
        )  # fmt: skip
    for committee, pole in (("controle", "centre_est"), ("ingenierie", "atlantique")):
        for i, (year, month) in enumerate(_months_before(as_of, 4)):
            held = _second_tuesday(year, month)
            if held > as_of or held < date(2024, 6, 1):
                continue
            meeting = register.meeting_for(AUTHOR, committee, held)
            due = held + timedelta(days=21)
            done = i % 2 == 0 and due <= as_of
            put(
                "action",
                {"meeting_id": meeting, "pole_code": pole, "owner": "Coordinateur du pôle",
                 "title": "Relancer les Caf sans réponse sur le planning des contrôles"
                 if committee == "controle" else "Finaliser les études de besoins en cours",
                 "due_on": due, "status": "faite" if done else "en_cours",
                 "closed_on": due if done else None, "orientation_id": None},
                f"{committee}-action-{held}",
            )  # fmt: skip
