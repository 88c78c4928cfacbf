from .artifacts import Artifact, Attachment, Authorship, Lineage, Version
from .audit import AuditEvent, AuditSeal
from .consent import ConsentCoverage, ConsentRecord, IPAssignment, WithdrawalImpact
from .contributors import Contributor
from .jobs import BackgroundJob
from .notifications import Notification, NotificationPreference, Watch
from .retirement import Retirement, RetirementAction
from .reuse import ArtifactMetricRollup, ArtifactRollup, Metric, Outcome, Reuse, RollupApplied
from .review import Review, ReviewDecision
from .rights import ReusePolicy, RightsGrant
from .search import SearchTerm
from .teams import Membership, Team

__all__ = [
    "Artifact",
    "ArtifactMetricRollup",
    "ArtifactRollup",
    "Attachment",
    "AuditEvent",
    "AuditSeal",
    "Authorship",
    "BackgroundJob",
    "ConsentCoverage",
    "ConsentRecord",
    "Contributor",
    "IPAssignment",
    "Lineage",
    "Membership",
    "Metric",
    "Notification",
    "NotificationPreference",
    "Outcome",
    "Retirement",
    "RetirementAction",
    "Reuse",
    "ReusePolicy",
    "Review",
    "ReviewDecision",
    "RightsGrant",
    "RollupApplied",
    "SearchTerm",
    "Team",
    "Version",
    "Watch",
    "WithdrawalImpact",
]
