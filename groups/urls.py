from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.my_group, name="mine"),
    path("standings/", views.standings, name="standings"),
    path("standings/<int:year>/", views.standings, name="standings_year"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("points/<int:pk>/<int:year>/", views.member_points, name="member_points"),
    path("points/new/", views.manual_points, name="manual_points"),
    path("points/entries/<int:pk>/correct/", views.correct, name="correct"),
    path("awards/<int:year>/manage/", views.manage_awards, name="manage_awards"),
    path(
        "awards/<int:year>/kinds/<int:kind_pk>/confirm/",
        views.confirm_award,
        name="confirm_award",
    ),
    path("awards/<int:year>/publish/", views.publish_awards, name="publish_awards"),
    path("awards/certificates/", views.certificate_batches, name="certificate_batches"),
    path(
        "awards/certificates/<int:pk>.pdf", views.award_certificate, name="certificate"
    ),
    path(
        "awards/<int:year>/certificates/make/",
        views.make_certificates,
        name="make_certificates",
    ),
    path(
        "awards/certificates/batches/<int:pk>.pdf",
        views.certificate_batch,
        name="certificate_batch",
    ),
    path("awards/", views.public_awards, name="awards"),
    path("awards/<int:year>/", views.public_awards, name="awards_year"),
]
