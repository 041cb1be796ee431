"""Imports every model so metadata, Alembic and the shell see all tables."""

from pbplatform.accounts.models import (
    MfaEnrolmentToken,
    PasswordResetToken,
    RecoveryCode,
    User,
    officer_areas,
)
from pbplatform.api.models import ApiIdempotencyKey, ApiToken
from pbplatform.audit.models import AuditEntry
from pbplatform.ballotbox.models import BallotBoxKey, SealedBallot
from pbplatform.channels.models import (
    CensusEntry,
    Meeting,
    MeetingCountEntry,
    MeetingTotal,
    PaperImport,
    VotingCode,
    VotingCodeBatch,
    VotingSite,
)
from pbplatform.coproduction.models import Offer, OfferDelivery
from pbplatform.cycles.models import Area, Cycle, CycleArea, CyclePhase
from pbplatform.jobs.models import Job
from pbplatform.mail.models import OutboxMessage
from pbplatform.privacy.models import (
    AccountErasure,
    ConsentRecord,
    DataExport,
    InactivityWarning,
)
from pbplatform.proposals.models import Proposal, ProposalEvent, ProposalFlag
from pbplatform.results.models import ResultVersion
from pbplatform.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyCodeBatch,
    SurveyItem,
    SurveyPaperEntry,
    SurveyQuestion,
    SurveyResponse,
)
from pbplatform.voting.models import Ballot, BallotChoice, Participation

__all__ = [
    "AccountErasure",
    "ConsentRecord",
    "DataExport",
    "InactivityWarning",
    "ApiIdempotencyKey",
    "ApiToken",
    "Area",
    "AuditEntry",
    "Ballot",
    "BallotBoxKey",
    "BallotChoice",
    "CensusEntry",
    "Meeting",
    "MeetingCountEntry",
    "MeetingTotal",
    "PaperImport",
    "SealedBallot",
    "VotingCode",
    "VotingCodeBatch",
    "VotingSite",
    "Cycle",
    "Job",
    "CycleArea",
    "CyclePhase",
    "Offer",
    "OfferDelivery",
    "OutboxMessage",
    "Participation",
    "MfaEnrolmentToken",
    "PasswordResetToken",
    "RecoveryCode",
    "Proposal",
    "ProposalEvent",
    "ProposalFlag",
    "ResultVersion",
    "Survey",
    "SurveyAnswer",
    "SurveyCode",
    "SurveyCodeBatch",
    "SurveyItem",
    "SurveyPaperEntry",
    "SurveyQuestion",
    "SurveyResponse",
    "User",
    "officer_areas",
]
