"""Every model, imported in one place so that SQLAlchemy and Alembic see the whole schema."""
from .agreements.models import Agreement, AgreementStatus, AgreementVersion, DataLocation, Party, PartyRole, Signature, SignatureMethod  # noqa: F401
from .api.models import ApiToken  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .channels.models import TransferChannel  # noqa: F401
from .decisions.models import SharingDecision  # noqa: F401
from .core.heartbeat import SchedulerHeartbeat  # noqa: F401
from .documents.models import ProtocolDocument, RenderJob, RenderStatus  # noqa: F401
from .flows.models import ConsentApproach, DataCategory, DataFlow, Frequency  # noqa: F401
from .legal.models import BasisKind, LegalBasis, Regime  # noqa: F401
from .organisations.models import Organisation  # noqa: F401
from .organisations.types import OrganisationType, StatutoryRole  # noqa: F401
from .reminders.models import Reminder, ReminderStatus, SweepLock  # noqa: F401
from .reviews.models import Review, ReviewOutcome  # noqa: F401
from .sharing.models import CheckLog  # noqa: F401
from .users.models import Role, User  # noqa: F401
from .identity.models import IdentityProvider, OutgoingMail, PasswordReset, RecoveryCode  # noqa: F401
from .core.ratelimit import RateLimitCounter  # noqa: F401
from .dpia.models import Dpia, DpiaRisk  # noqa: F401
from .records.models import RecordDocument  # noqa: F401
