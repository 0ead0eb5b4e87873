from django.urls import path

from publicity import views

app_name = "publicity"

urlpatterns = [
    path("digest/", views.digest_settings, name="digest_settings"),
    path("digest/<int:pk>/resend/", views.resend_digest, name="resend_digest"),
]
