"""Business operations of the members app (one function, one transaction), by feature."""

from members.services.people import (
    MembershipError,
    admit_enterprise,
    prospect_enterprise,
    update_enterprise_contact,
    update_member_profile,
)

__all__ = [
    "MembershipError",
    "admit_enterprise",
    "prospect_enterprise",
    "update_enterprise_contact",
    "update_member_profile",
]
