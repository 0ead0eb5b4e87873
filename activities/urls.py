from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.my_activities, name="mine"),
    path("platforms/", views.platforms, name="platforms"),
    path("platforms/<int:pk>/", views.platform, name="platform"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/check-in/", views.checkin, name="checkin"),
    path("<int:pk>/check-in/qr/", views.checkin_qr, name="checkin_qr"),
    path("<int:pk>/poster/", views.signup_poster, name="signup_poster"),
    path("<int:pk>/poster.pdf", views.signup_poster_pdf, name="signup_poster_pdf"),
    path(
        "attendance/<int:pk>/certificate.pdf",
        views.attendance_certificate,
        name="attendance_certificate",
    ),
    path("<int:pk>/check-in/<str:token>/", views.self_checkin, name="self_checkin"),
    path("attendance/<int:pk>/undo/", views.undo_checkin, name="undo_checkin"),
    path(
        "registrations/<int:pk>/present/",
        views.mark_colleague_present,
        name="colleague_present",
    ),
    path("<int:pk>/attendance.xlsx", views.attendance_export, name="attendance_export"),
    path("calendar.ics", views.public_calendar, name="calendar"),
    path("<int:pk>/calendar.ics", views.activity_calendar, name="activity_calendar"),
    path("calendar/<str:token>.ics", views.my_calendar, name="my_calendar"),
    path("calendar/renew/", views.renew_my_calendar, name="renew_my_calendar"),
    path("calendar/revoke/", views.revoke_my_calendar, name="revoke_my_calendar"),
    path("duties/", views.duties, name="duties_now"),
    path("duties/<int:year>/", views.duties, name="duties"),
]
