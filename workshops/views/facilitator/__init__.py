"""Staff pages: set-up (``setup``), running the workshop live (``running``), the grouped
view by theme (``grouped``)."""

from workshops.views.facilitator.grouped import (  # noqa: F401
    grouped_move,
    session_grouped,
    session_grouped_projector,
    workshop_grouped,
    workshop_grouped_projector,
)
from workshops.views.facilitator.running import (  # noqa: F401
    capture,
    contribution_edit,
    contribution_status,
    moderate,
    projector,
    session_board,
    session_results,
    workshop_board,
    workshop_results,
)
from workshops.views.facilitator.setup import (  # noqa: F401
    dashboard,
    join_code,
    join_sheet,
    organisation_add,
    organisation_edit,
    organisation_import,
    organisation_remove,
    organisations,
    participant_add,
    participant_edit,
    participant_import,
    participant_remove,
    participants,
    session_create,
    session_edit,
    session_move,
    session_status,
    staff,
    staff_remove,
    workshop_create,
    workshop_detail,
    workshop_edit,
)
from workshops.views.facilitator.zones import zones, zones_suggested  # noqa: F401
