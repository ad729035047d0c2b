from django.urls import path

from usage.views.company import company_usage

app_name = "usage"

urlpatterns = [path("", company_usage, name="company")]
