"""The members' monthly news: a member's subscription page, and the unsubscribe page that a
signed link in every e-mail opens without logging in (publicity/newsletter.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chamber.decorators import member_required
from publicity import newsletter

SUBSCRIBE = "subscribe"
UNSUBSCRIBE = "unsubscribe"


@member_required
def news_settings(request: HttpRequest) -> HttpResponse:
    """Subscribe or unsubscribe with one button (POST); GET shows where things stand."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == SUBSCRIBE:
            newsletter.subscribe(user=user)
            messages.success(
                request, _("You will get the monthly news on the 1st of each month.")
            )
        elif action == UNSUBSCRIBE and newsletter.unsubscribe(user=user):
            messages.success(request, _("You will get no more monthly news."))
        return redirect("publicity:news_settings")
    context = {"subscribed": newsletter.is_subscribed(user), "email": user.email}
    return render(request, "publicity/news/subscription.html", context)


# The token is the authority here, not a session: a mail program's one-click unsubscribe
# (RFC 8058) posts to this address with neither cookie nor CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def news_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET says what the button will do; POST stops the e-mails (the link works once)."""
    user = newsletter.user_for_token(token)
    if user is None:
        return render(request, "publicity/news/unsubscribe_invalid.html", status=400)
    context = {"email": newsletter.masked_email(user.email)}
    if request.method == "POST":
        context["done"] = newsletter.unsubscribe(user=user)
        context["subscribed"] = False
    else:
        context["subscribed"] = newsletter.is_subscribed(user)
    return render(request, "publicity/news/unsubscribe.html", context)
