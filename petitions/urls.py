from django.urls import path

from petitions import (
    views,
    views_clock,
    views_documents,
    views_entry,
    views_paper,
    views_repeats,
    views_topics,
)

app_name = "petitions"

urlpatterns = [
    path("", views.my_petitions, name="mine"),
    path("new/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    # 重复诉求: add to an open petition instead of filing it again; the suggestions
    # while typing (JSON); a batch's petitions with their likely repeats.
    path("<int:pk>/add/", views_repeats.add_to, name="add_to"),
    path("similar/", views_repeats.similar, name="similar"),
    path("rate/<str:token>/", views.rate_by_link, name="rate_by_link"),
    # 待企业补充, 延期 and 回访: the enterprise answers, the department and staff act.
    path("<int:pk>/answer-request/", views_clock.answer_request, name="answer_request"),
    path(
        "department/<int:pk>/clock/<slug:action>/",
        views_clock.department_clock,
        name="department_clock",
    ),
    path(
        "staff/<int:pk>/clock/<slug:action>/",
        views_clock.staff_clock,
        name="staff_clock",
    ),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("from-duty-log/<int:entry_pk>/", views.from_duty_log, name="from_duty_log"),
    # The QR entry points (扫码反映诉求) and their posters.
    path("studio/", views_entry.studio, name="studio"),
    path("session/<int:pk>/", views_entry.session_entry, name="session"),
    path("received/<str:token>/", views_entry.received, name="received"),
    path("staff/studio-poster/", views_entry.studio_poster, name="studio_poster"),
    path(
        "staff/studio-poster.pdf",
        views_entry.studio_poster_pdf,
        name="studio_poster_pdf",
    ),
    path(
        "staff/session-poster/<int:pk>.pdf",
        views_entry.session_poster_pdf,
        name="session_poster_pdf",
    ),
    path(
        "staff/session-poster/<int:pk>/",
        views_entry.session_poster,
        name="session_poster",
    ),
    # Paper (issue 21): 交办单, 督办通知单, a day's or a week's of them, 征求意见表.
    path(
        "staff/<int:pk>/assignment-sheet.pdf",
        views_paper.assignment_sheet,
        name="assignment_sheet",
    ),
    path(
        "staff/<int:pk>/supervision-notice.pdf",
        views_paper.supervision_notice,
        name="supervision_notice",
    ),
    path(
        "department/<int:pk>/assignment-sheet.pdf",
        views_paper.department_assignment_sheet,
        name="department_assignment_sheet",
    ),
    path(
        "department/<int:pk>/supervision-notice.pdf",
        views_paper.department_supervision_notice,
        name="department_supervision_notice",
    ),
    path(
        "staff/assignment-sheets.pdf",
        views_paper.assignment_sheets,
        name="assignment_sheets",
    ),
    path(
        "staff/supervision-notices.pdf",
        views_paper.supervision_notices,
        name="supervision_notices",
    ),
    path(
        "staff/opinion-forms/<int:pk>/",
        views_paper.opinion_sheets,
        name="opinion_sheets",
    ),
    path("department/", views.department_queue, name="department_queue"),
    path("department/<int:pk>/", views.department_detail, name="department_detail"),
    path(
        "department/<int:pk>/<slug:action>/",
        views.department_action,
        name="department_action",
    ),
    path("staff/", views.triage, name="triage"),
    path("staff/all/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/batch/", views.batch, name="batch"),
    path("staff/batch/template.xlsx", views.batch_template, name="batch_template"),
    path("staff/batch/<int:pk>/", views_repeats.batch_entered, name="batch_entered"),
    path("staff/cycle/", views.cycle, name="cycle"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/<slug:action>/", views.staff_action, name="staff_action"),
    path("leader/", views.leader_home, name="leader_home"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/report.xlsx", views.report_export, name="report_export"),
    path("reports/<int:pk>/report.pdf", views_documents.report_pdf, name="report_pdf"),
    path(
        "reports/<int:pk>/report.docx", views_documents.report_docx, name="report_docx"
    ),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/", views.leader_detail, name="leader_detail"),
    path("escalations/<int:pk>/instruct/", views.instruct, name="instruct"),
    path("registered/<int:pk>/", views.registered_detail, name="registered_detail"),
    # 每月一题
    path("topics/", views_topics.topic_list, name="topics"),
    path("topics/new/", views_topics.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views_topics.topic_detail, name="topic"),
    path("topics/<int:pk>/edit/", views_topics.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/close/", views_topics.topic_close, name="topic_close"),
    path("topics/tasks/<int:pk>/done/", views_topics.task_done, name="topic_task_done"),
]
