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
from pbplatform.codesign.models import Amendment, CoAuthor, MergeConsent, MergeRequest
from pbplatform.coproduction.models import Offer, OfferDelivery
from pbplatform.cycles.models import Area, Cycle, CycleArea, CyclePhase
from pbplatform.decisions.models import CouncilDecision, DecisionEntry, Routing
from pbplatform.delivery.models import Delivery, Milestone, MilestonePhoto, OpenDataRelease
from pbplatform.discussion.models import Comment, CommentFlag
from pbplatform.jobs.models import Job
from pbplatform.mail.models import OutboxMessage
from pbplatform.meetings.models import MeetingEvent, meeting_agenda_proposals
from pbplatform.notifications.models import Follow, Letter, Notification, NotificationSetting
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
    SurveyInvitation,
    SurveyItem,
    SurveyPaperEntry,
    SurveyQuestion,
    SurveyResponse,
    SurveyWordingChange,
)
from pbplatform.voting.models import Ballot, BallotChoice, Participation

__all__ = [
    "MeetingEvent",
    "SurveyWordingChange",
    "SurveyInvitation",
    "meeting_agenda_proposals",
    "Amendment",
    "CoAuthor",
    "MergeConsent",
    "MergeRequest",
    "Comment",
    "CommentFlag",
    "Follow",
    "Letter",
    "Notification",
    "NotificationSetting",
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
    "Delivery",
    "Milestone",
    "MilestonePhoto",
    "OpenDataRelease",
    "CouncilDecision",
    "DecisionEntry",
    "Routing",
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
