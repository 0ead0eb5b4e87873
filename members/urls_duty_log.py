"""Routes of the duty log (坐班日志), added to members/urls.py under the "members" namespace."""

from django.urls import path

from members.views import duty_log

duty_log_patterns = [
    path("rota/log/", duty_log.duty_log, name="duty_log"),
    path("rota/log/<int:pk>/", duty_log.log_entry, name="log_entry"),
    path("rota/log/staff/", duty_log.staff_duty_log, name="staff_duty_log"),
    path("rota/log/attachments/<int:pk>/", duty_log.attachment, name="log_attachment"),
]
