"""每月一题 in the publicity week: staff draft an article from a monthly topic and its
result (publicity/topic_articles.py), then edit and publish it in the administration."""

from datetime import date

from django.urls import reverse

from petitions import topics
from petitions.models import TopicEvent
from publicity.models import Article
from tests.factories import DepartmentFactory, PetitionFactory


def _concluded_topic(staff):
    lead, other = (
        DepartmentFactory(name="西市区金融办"),
        DepartmentFactory(name="西市区财政局"),
    )
    covered = PetitionFactory(enterprise__name="营口某某物流有限公司")
    topic = topics.save_topic(
        actor=staff,
        month=date(2026, 4, 1),
        title="融资难题集中破解",
        lead_department=lead,
        departments=[other],
        problems="贷款审批慢\n抵押物认定难",
        petitions=[covered],
        tasks=[
            {"text": "召开银企对接会", "department": lead, "owner": "", "due_on": date(2026, 4, 20)}
        ],
    )  # fmt: skip
    topics.mark_task_done(task=topic.tasks.get(), actor=staff, note="12家银行参加。")
    return topics.close_topic(topic=topic, actor=staff, result="五家企业获得贷款。")


def test_staff_draft_an_article_from_the_topic_once(client, staff):
    topic = _concluded_topic(staff)
    client.force_login(staff)
    url = reverse("publicity:topic_article", args=[topic.pk])

    response = client.post(url)
    again = client.post(url)

    article = Article.objects.get()
    assert response["Location"] == reverse(
        "admin:publicity_article_change", args=[article.pk]
    )
    assert again["Location"] == response["Location"]
    assert article.status == Article.Status.DRAFT
    assert (article.kind.code, article.created_by) == ("news", staff)
    assert "融资难题集中破解" in article.title
    for text in (
        "西市区金融办",
        "西市区财政局",
        "抵押物认定难",
        "12家银行参加",
        "五家企业获得贷款",
    ):
        assert text in article.body
    assert "营口某某物流" not in article.body  # no enterprise is named
    topic.refresh_from_db()
    assert topic.article_id == article.pk
    assert TopicEvent.objects.filter(topic=topic, kind="article").count() == 1
    page = client.get(reverse("petitions:topic", args=[topic.pk])).content.decode()
    assert reverse("admin:publicity_article_change", args=[article.pk]) in page


def test_only_staff_draft_a_topics_article(client, staff, official, leader):
    topic = _concluded_topic(staff)
    url = reverse("publicity:topic_article", args=[topic.pk])

    for user in (official.user, leader.user):
        client.force_login(user)
        assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert not Article.objects.exists()
