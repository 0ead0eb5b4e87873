from django.urls import path

from members.urls_duty_log import duty_log_patterns
from members.views import invitation, people, rota

app_name = "members"

urlpatterns = [
    path("", people.directory, name="directory"),
    path("<int:pk>/", people.detail, name="detail"),
    path("me/", people.profile, name="profile"),
    path("enterprise/<int:pk>/", people.enterprise_detail, name="enterprise"),
    path("enterprise/<int:pk>/edit/", people.enterprise_edit, name="enterprise_edit"),
    path(
        "enterprise/<int:pk>/admit/", people.admit_enterprise, name="admit_enterprise"
    ),
    path(
        "invitation/<uidb64>/<token>/",
        invitation.accept_invitation,
        name="accept_invitation",
    ),
    path("rota/", rota.rota, name="rota"),
    path("rota/mine/", rota.my_shifts, name="my_shifts"),
    path("rota/unavailable/", rota.add_unavailability, name="add_unavailability"),
    path(
        "rota/unavailable/<int:pk>/delete/",
        rota.delete_unavailability,
        name="delete_unavailability",
    ),
    path("rota/shifts/<int:pk>/swap/", rota.ask_swap, name="ask_swap"),
    path("rota/swaps/<int:pk>/accept/", rota.accept_swap, name="accept_swap"),
    path("rota/swaps/<int:pk>/withdraw/", rota.withdraw_swap, name="withdraw_swap"),
    path("rota/feeds/<str:kind>/renew/", rota.renew_feed, name="renew_feed"),
    path("rota/feeds/<str:kind>/revoke/", rota.revoke_feed, name="revoke_feed"),
    path("rota/calendar/<str:token>.ics", rota.feed, name="feed"),
    path("rota/staff/", rota.staff_rota, name="staff_rota"),
    path("rota/staff/generate/", rota.generate, name="generate_rota"),
    path("rota/shifts/<int:pk>/edit/", rota.edit_shift, name="edit_shift"),
]
urlpatterns += duty_log_patterns
