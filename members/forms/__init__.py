"""Forms of the members app, by feature."""

from members.forms.people import DirectoryFilterForm, EnterpriseContactForm, ProfileForm
from members.forms.rota import (
    PeriodForm,
    ShiftEditForm,
    SwapAskForm,
    UnavailabilityForm,
)

__all__ = [
    "DirectoryFilterForm",
    "EnterpriseContactForm",
    "PeriodForm",
    "ProfileForm",
    "ShiftEditForm",
    "SwapAskForm",
    "UnavailabilityForm",
]
