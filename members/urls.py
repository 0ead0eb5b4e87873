from django.urls import path

from members import invitation_views, views

app_name = "members"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
    path("me/", views.profile, name="profile"),
    path("enterprise/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprise/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path(
        "invitation/<uidb64>/<token>/",
        invitation_views.accept_invitation,
        name="accept_invitation",
    ),
]
