"""Business operations of the members app (one function, one transaction), by feature."""

from members.services.people import update_enterprise_contact, update_member_profile

__all__ = ["update_enterprise_contact", "update_member_profile"]
