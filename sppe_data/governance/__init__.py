"""The committee's governance records (the mission letter, sections 1.4, 3, 4 and 5):
annual orientations, experimentation themes, work-plan milestones, meetings of the
COPIL and of the monthly operational committees with their decisions and actions,
service contracts of the pivot Cafs and their semester reviews, and the selection of
new pivot Cafs on the letter's five criteria.

``model`` says what a record is (fields, limits, codes, French labels, the "late" rule);
``register`` writes and reads them in the store; ``selection`` scores the candidates
(pure); ``candidates_import`` reads a file of candidates (CSV or Excel) and imports it
in one transaction; ``demo`` adds demonstration records.
"""

from sppe_data.governance.model import (
    ACTION_STATUS,
    COMMITTEES,
    DOMAIN_COMMITTEE,
    EXPERIMENT_STATUS,
    KINDS,
    MILESTONE_STATUS,
    MISSION_LABEL,
    is_late,
)
from sppe_data.governance.register import (
    carried_actions,
    delete,
    frame_schema,
    meeting_for,
    milestones,
    open_actions,
    records,
    save,
    save_all,
    save_at_meeting,
    save_weights,
    weights,
)

__all__ = [
    "ACTION_STATUS",
    "COMMITTEES",
    "DOMAIN_COMMITTEE",
    "EXPERIMENT_STATUS",
    "KINDS",
    "MILESTONE_STATUS",
    "MISSION_LABEL",
    "carried_actions",
    "delete",
    "frame_schema",
    "is_late",
    "meeting_for",
    "milestones",
    "open_actions",
    "records",
    "save",
    "save_all",
    "save_at_meeting",
    "save_weights",
    "weights",
]
