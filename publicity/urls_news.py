"""Routes of the members' monthly news, included by publicity/urls.py (names publicity:…)."""

from django.urls import path

from publicity import views_news

urlpatterns = [
    path("monthly/", views_news.news_settings, name="news_settings"),
    path(
        "monthly/unsubscribe/<str:token>/",
        views_news.news_unsubscribe,
        name="news_unsubscribe",
    ),
]
