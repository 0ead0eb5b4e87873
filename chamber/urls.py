from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from chamber import (
    views,
    views_channels,
    views_downloads,
    views_second_factor,
    views_sms,
    views_sms_login,
    views_wechat,
)
from chamber.forms import LoginForm, QueuedPasswordResetForm

admin.site.site_header = _("Xishi District Federation of Industry and Commerce")
admin.site.site_title = _("Chamber portal administration")
admin.site.index_title = _("Secretariat administration")

account_patterns = [
    path(
        "login/",
        views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("login/sms/", views_sms_login.SmsLoginView.as_view(), name="login_sms"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views_second_factor.verify, name="second_factor"),
    path("second-factor/setup/", views_second_factor.setup, name="second_factor_setup"),
    path(
        "second-factor/backup-codes/",
        views_second_factor.backup_codes,
        name="second_factor_backup",
    ),
    path("channels/", views_channels.channels, name="channels"),
    path("channels/mobile/", views_channels.mobile, name="channels_mobile"),
    path("channels/wechat/", views_channels.wechat, name="channels_wechat"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/sms/",
        views_sms_login.SmsLoginView.as_view(then_set_password=True),
        name="password_reset_sms",
    ),
    path(
        "password/sms/new/",
        views_sms_login.set_password,
        name="password_reset_sms_set",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            subject_template_name="emails/password-reset-subject.txt",
            email_template_name="emails/password-reset-body.txt",
            html_email_template_name="emails/password-reset-body.html",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_dashboard, name="staff_dashboard"),
    path("staff/outbox/", views.outbox_list, name="outbox"),
    path("staff/outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path(
        "staff/outbox/<int:pk>/<slug:action>/",
        views.outbox_action,
        name="outbox_action",
    ),
    path("staff/outbox/<slug:action>/", views.outbox_bulk, name="outbox_bulk"),
    path("departments/", views.departments, name="departments"),
    # Files made by a task (chamber/downloads.py), each seen by its owner only.
    path("downloads/", views_downloads.recent_downloads, name="downloads"),
    path("downloads/<uuid:pk>/", views_downloads.download, name="download"),
    path(
        "downloads/<uuid:pk>/file", views_downloads.download_file, name="download_file"
    ),
    path(
        "downloads/<uuid:pk>/again", views_downloads.make_again, name="download_again"
    ),
    path("members/", include("members.urls")),
    path("groups/", include("groups.urls")),
    path("activities/", include("activities.urls")),
    path("petitions/", include("petitions.urls")),
    path("news/", include("publicity.urls")),
    # /sitemap.xml: publicity's, included by name (chamber never imports publicity).
    path("", include("publicity.sitemaps")),
    path("healthz", views.healthz, name="healthz"),
    # A short link in an SMS (chamber.ShortLink).
    path("s/<str:code>", views_channels.short_link, name="short-link"),
    path("sms/replies/<str:token>/", views_sms.replies, name="sms-replies"),
    path("wechat/callback/", views_wechat.callback, name="wechat-callback"),
    path("wechat/dev-bind/<str:token>/", views_wechat.dev_bind, name="wechat-dev-bind"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
    path("accounts/", include(account_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
