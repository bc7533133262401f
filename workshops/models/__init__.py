"""Models of the workshops app, one module per area.

Each area adds its own module and imports its models here.
"""

from workshops.models import changes as _changes  # noqa: F401  (registers the receivers)
from workshops.models.core import (  # noqa: F401
    BreakoutSession,
    Contribution,
    Country,
    Organisation,
    OrganisationMembership,
    Participant,
    Region,
    Theme,
    Vote,
    Workshop,
    WorkshopMembership,
    Zone,
    ZoneRegion,
    generate_join_code,
    hash_token,
    normalise_join_code,
)
from workshops.models.followup import (  # noqa: F401
    Addressee,
    FollowUpChange,
    FollowUpShare,
    FollowUpStatus,
    FollowUpUpdate,
    RecommendationFollowUp,
)
from workshops.models.history import (  # noqa: F401
    keep_creation_record,
    saved_without_creation_record,
    skip_creation_record,
    versions_of,
)
from workshops.models.jobs import Job, JobKind, JobStatus  # noqa: F401
from workshops.models.networks import (  # noqa: F401
    Network,
    NetworkChange,
    NetworkInvitation,
    NetworkMembership,
)
from workshops.models.report import (  # noqa: F401
    ExportAuditLog,
    ReportDraft,
    ReportSection,
    SectionVersion,
)
from workshops.models.sources import (  # noqa: F401
    AcledEvent,
    ImportUpload,
    Interview,
    RegionAlias,
    SurveyMapping,
)
