from django.urls import path

from publicity import feeds, views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("kind/<slug:code>/", views.by_kind, name="kind"),
    path("kind/<slug:code>/feed/", feeds.ArticlesFeed(), name="kind_feed"),
    path("tag/<slug:code>/", views.by_tag, name="tag"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.ArticlesFeed(), name="feed"),
    path("atom/", feeds.ArticlesAtomFeed(), name="atom"),
    path("digest/", views.digest_settings, name="digest_settings"),
    path("digest/<int:pk>/resend/", views.resend_digest, name="resend_digest"),
]
