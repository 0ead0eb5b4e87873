from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.my_activities, name="mine"),
    path("platforms/<int:pk>/", views.platform, name="platform"),
    path("<int:pk>/check-in/", views.checkin, name="checkin"),
    path("attendance/<int:pk>/undo/", views.undo_checkin, name="undo_checkin"),
]
