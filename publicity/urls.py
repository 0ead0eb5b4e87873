from django.urls import include, path

from chamber import pagecache
from publicity import (
    feeds,
    views,
    views_showcases,
    views_topics,
    views_transparency,
)

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("kind/<slug:code>/", views.by_kind, name="kind"),
    path(
        "kind/<slug:code>/feed/",
        pagecache.whole_response(feeds.ArticlesFeed()),
        name="kind_feed",
    ),
    path("tag/<slug:code>/", views.by_tag, name="tag"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("pictures/", views.picture_upload, name="picture_upload"),
    path("pictures/<uuid:key>/", views.picture, name="picture"),
    path("showcases/", views_showcases.showcase_list, name="showcases"),
    path("showcases/<int:pk>/", views_showcases.showcase, name="showcase"),
    path(
        "showcases/<int:pk>/poster/",
        views_showcases.showcase_poster,
        name="showcase_poster",
    ),
    path(
        "showcases/photos/<int:pk>/",
        views_showcases.showcase_photo,
        name="showcase_photo",
    ),
    path("showcases/mine/", views_showcases.my_showcase, name="my_showcase"),
    path(
        "showcases/review/",
        views_showcases.review_showcases,
        name="review_showcases",
    ),
    path(
        "showcases/<int:pk>/approve/",
        views_showcases.approve_showcase,
        name="approve_showcase",
    ),
    path(
        "showcases/<int:pk>/return/",
        views_showcases.return_showcase,
        name="return_showcase",
    ),
    path("search/", views.search, name="search"),
    path(
        "transparency/",
        views_transparency.transparency_page,
        name="transparency",
    ),
    path(
        "transparency/switch/",
        views_transparency.transparency_switch,
        name="transparency_switch",
    ),
    path("feed/", pagecache.whole_response(feeds.ArticlesFeed()), name="feed"),
    path("atom/", pagecache.whole_response(feeds.ArticlesAtomFeed()), name="atom"),
    path("digest/", views.digest_settings, name="digest_settings"),
    path("digest/<int:pk>/resend/", views.resend_digest, name="resend_digest"),
    path("topics/<int:pk>/article/", views_topics.topic_article, name="topic_article"),
    path("", include("publicity.urls_news")),
]
