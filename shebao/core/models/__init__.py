from shebao.core.models.agencies import Agency, AgencyLevel
from shebao.core.models.audit import AuditChainAnchor, AuditChainHead, AuditEntry, Channel
from shebao.core.models.batch import BatchChunk, BatchRun, BatchStatus
from shebao.core.models.staff import (
    Action,
    ApiToken,
    PermissionClaim,
    Role,
    Staff,
    User,
    UserKind,
)

__all__ = [
    "Action",
    "Agency",
    "AgencyLevel",
    "ApiToken",
    "AuditChainAnchor",
    "AuditChainHead",
    "AuditEntry",
    "BatchChunk",
    "BatchRun",
    "BatchStatus",
    "Channel",
    "PermissionClaim",
    "Role",
    "Staff",
    "User",
    "UserKind",
]
