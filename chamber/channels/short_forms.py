"""The short form of each kind of notice, for SMS and WeChat.

Chinese SMS providers send only templates they approved: the signature (【签名】), a text
registered once per kind of notice with numbered variables ({1}, {2}, …), and the
values the portal fills in. `SHORT_FORMS` holds, for each kind, the text to register
(`template_text`; the README lists them, ready to paste) and how its values come from
the notice's context: Django template expressions, and last the code of a short link
to the page (/s/<code>, chamber.ShortLink). Providers refuse links in variables, so
the link is written in the template up to its code; WeChat gets the whole link. Within
70 characters, the signature included, a message is one SMS and billed once
(tests/chamber/test_channels.py counts each kind with long values).

SMS and WeChat are in Chinese whatever the person's language: the provider's
templates are approved in Chinese.
"""

import secrets
import string
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone, translation

# What a reminder's SMS ends with: a reply T stops such reminders (choices.OPT_OUT_KINDS).
OPT_OUT = " 回T退订"


@dataclass(frozen=True)
class ShortForm:
    """`text`: the template, variables {1}…{n}, and {link} where the link goes;
    `values`: a Django template expression for each variable; `link`: the context keys
    holding the page's path (or whole URL), the first one set is used; `days`: how long
    its short link works (the page's own link may expire sooner: a signed link checks
    itself); `urgent`: sent at night too (rules.py)."""

    text: str
    values: tuple[str, ...] = ()
    link: tuple[str, ...] = ("path",)
    days: int = 30
    urgent: bool = field(default=False)


_PETITION = "{{ petition.number }}"

SHORT_FORMS: dict[str, ShortForm] = {
    # --- to a department's officials ---
    "petition-dispatched": ShortForm(
        "诉求{1}已交办贵单位，请于{2}前答复：{link}",
        (_PETITION, "{{ petition.due_on|date:'n月j日' }}"),
    ),
    "petition-due": ShortForm(
        "贵单位有{1}件诉求于{2}到期，请按时答复：{link}",
        ("{{ petitions|length }}", "{{ due_on|slice:'5:' }}"),
    ),
    "petition-overdue": ShortForm(
        "诉求{1}已超期，已列入督办，请尽快答复：{link}", (_PETITION,)
    ),
    "petition-instruction": ShortForm(
        "区领导对诉求{1}作出批示，请阅办：{link}", (_PETITION,)
    ),
    "petition-info-answered": ShortForm(
        "诉求{1}待企业补充已结束，请于{2}前答复：{link}",
        (_PETITION, "{{ petition.due_on|date:'n月j日' }}"),
    ),
    "petition-extension-decided": ShortForm(
        "诉求{1}的延期申请{2}，请于{3}前答复：{link}",
        (
            _PETITION,
            "{% if event.data.approved %}已通过{% else %}未通过{% endif %}",
            "{{ petition.due_on|date:'n月j日' }}",
        ),
    ),
    # to whoever holds the petition: the department's officials, or staff
    "petition-addition": ShortForm(
        "企业对诉求{1}作了补充，请查看：{link}", (_PETITION,)
    ),
    # --- to the enterprise ---
    "petition-accepted": ShortForm("您反映的诉求{1}已受理：{link}", (_PETITION,)),
    "petition-sent-to-department": ShortForm(
        "诉求{1}已交{2}，{3}前答复：{link}",
        (
            _PETITION,
            "{{ petition.department.short_name|default:petition.department.name"
            "|truncatechars:8 }}",
            "{{ petition.due_on|date:'n月j日' }}",
        ),
    ),
    "petition-progress": ShortForm("您的诉求{1}有新进展：{link}", (_PETITION,)),
    "petition-info-requested": ShortForm(
        "您的诉求{1}需企业补充材料，请查看并答复：{link}", (_PETITION,)
    ),
    "petition-answered": ShortForm(
        "您的诉求{1}已答复，请查看并评价：{link}",
        (_PETITION,),
        link=("rate_path", "path"),
    ),
    "activity-registered": ShortForm(
        "您已报名{1}，{2}开始：{link}",
        (
            "{{ activity.title|truncatechars:10 }}",
            "{{ activity.starts_at|date:'n月j日 H:i' }}",
        ),
    ),
    "activity-reminder": ShortForm(
        "提醒：{1}明天{2}举行：{link} 回T退订",
        (
            "{{ activity.title|truncatechars:10 }}",
            "{{ activity.starts_at|date:'H:i' }}",
        ),
    ),
    "activity-promoted": ShortForm(
        "您已由候补转为正式报名{1}：{link} 回T退订",
        ("{{ activity.title|truncatechars:10 }}",),
    ),
    "invitation": ShortForm(
        "您已受邀开通工商联门户账号，请设置密码：{link}",
        link=("url",),
        days=settings.INVITATION_TIMEOUT_DAYS,
    ),
    # --- to representatives on duty ---
    "rota-reminder": ShortForm(
        "您于{1}起在代表人士工作室值班：{link} 回T退订",
        ("{{ shift.span.first_text }}",),
    ),
    "rota-swap-accepted": ShortForm(
        "{1}已接替{2}起的值班：{link}",
        (
            "{{ swap.accepted_by.user.get_full_name|truncatechars:6 }}",
            "{{ swap.shift.span.first_text }}",
        ),
    ),
    # --- to staff ---
    "petition-replied": ShortForm("部门已答复诉求{1}，请审核：{link}", (_PETITION,)),
    "petition-returned": ShortForm(
        "诉求{1}被部门退回，请重新分办：{link}", (_PETITION,)
    ),
    "petition-extension-asked": ShortForm(
        "部门申请诉求{1}延期，请审批：{link}", (_PETITION,)
    ),
    "petition-unsatisfied": ShortForm(
        "企业对诉求{1}的答复不满意，请回访：{link}", (_PETITION,)
    ),
    "petition-instruction-to-staff": ShortForm(
        "区领导对诉求{1}作出批示：{link}", (_PETITION,)
    ),
    "petition-from-duty-log": ShortForm(
        "值班代表登记了诉求{1}，待分办：{link}", (_PETITION,)
    ),
    # --- codes (the only kind that is sent at night by design) ---
    "sms-code": ShortForm(
        "验证码{1}，5分钟内有效，请勿告诉他人。",
        ("{{ code }}",),
        link=(),
        urgent=True,
    ),
}


@dataclass(frozen=True)
class Filled:
    """One notice's short form filled in: the values in order (the short link's code
    last), the message as the person reads it, the whole link (for WeChat), and the
    short link's row, not saved yet (the outbox writes them all in one INSERT)."""

    values: list[str]
    text: str
    url: str
    short_link: object | None = None


def template_text(kind: str) -> str:
    """The text to register with the provider for `kind`. Providers refuse a link in a
    variable, so the link is the template's own up to the short code: <host>/s/{n},
    the code (8 letters and digits) its last variable. Without "https://" (phones and
    WeChat open a bare .cn address all the same): eight characters of a 70-character
    SMS."""
    form = SHORT_FORMS[kind]
    link = f"{site_host()}/s/{{{len(form.values) + 1}}}"
    return form.text.replace("{link}", link)


def site_host() -> str:
    """The portal's address without its scheme (gsl.xishi.gov.cn)."""
    return urlsplit(settings.SITE_URL).netloc


def fill(kind: str, context: dict) -> Filled:
    """The short form of `kind` filled from the notice's context, with a short link
    (not saved) to the page the context names."""
    form = SHORT_FORMS[kind]
    with translation.override("zh-hans"):
        values = [
            " ".join(_compiled(expression).render(Context(context)).split())
            for expression in form.values
        ]
    url, link = "", None
    for key in form.link:
        if target := context.get(key):
            url = target if "://" in target else settings.SITE_URL + target
            break
    if form.link:
        # Without a page to open, the link is the portal's home.
        link = short_link(url or settings.SITE_URL + "/", form.days)
        values.append(link.code)
    return Filled(values, signed(render(template_text(kind), values)), url, link)


def card_text(kind: str, filled: Filled) -> str:
    """The short form as a WeChat card's description: without the link (the card
    opens the page) and without 回T退订 (SMS only)."""
    form = SHORT_FORMS[kind]
    text = form.text.replace(OPT_OUT, "").replace("{link}", "")
    return render(text, filled.values).strip().rstrip("：:，, ")


def render(text: str, values: list[str]) -> str:
    """The template's text with its variables {1}…{n} filled."""
    for number, value in reversed(list(enumerate(values, start=1))):
        text = text.replace(f"{{{number}}}", value)
    return text


def signed(text: str) -> str:
    """The message as the phone shows it: the signature first, as the provider adds it."""
    return f"【{settings.TENCENT_SMS_SIGN_NAME}】{text}"


# SMS and WeChat text is plain: nothing there is read as HTML (escaping would show &amp;).
_PLAIN = Engine(autoescape=False)


@cache
def _compiled(expression: str):
    return _PLAIN.from_string(expression)


CODE_LETTERS = string.ascii_letters + string.digits


def short_link(url: str, days: int):
    """A short link (/s/<code>, 8 random letters and digits) to `url`, working `days`
    days; not saved."""
    from chamber.models import ShortLink

    return ShortLink(
        code="".join(secrets.choice(CODE_LETTERS) for _ in range(8)),
        url=url,
        expires_at=timezone.now() + timedelta(days=days),
    )
