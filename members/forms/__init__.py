"""Forms of the members app, by feature."""

from members.forms.people import (
    AdmitForm,
    DirectoryFilterForm,
    EnterpriseContactForm,
    ProfileForm,
)
from members.forms.rota import (
    PeriodForm,
    ShiftEditForm,
    SwapAskForm,
    UnavailabilityForm,
)

__all__ = [
    "AdmitForm",
    "DirectoryFilterForm",
    "EnterpriseContactForm",
    "PeriodForm",
    "ProfileForm",
    "ShiftEditForm",
    "SwapAskForm",
    "UnavailabilityForm",
]
