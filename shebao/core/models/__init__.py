from shebao.core.models.agencies import Agency, AgencyLevel
from shebao.core.models.audit import AuditChainHead, AuditEntry, Channel
from shebao.core.models.staff import Action, ApiToken, PermissionClaim, Role, Staff, User

__all__ = [
    "Action",
    "Agency",
    "AgencyLevel",
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Channel",
    "PermissionClaim",
    "Role",
    "Staff",
    "User",
]
