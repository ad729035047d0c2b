from django.urls import path

from core.views import notice_list, notices_mark_read

app_name = "core"

urlpatterns = [
    path("", notice_list, name="notices"),
    path("read/", notices_mark_read, name="notices_read"),
]
