from django.urls import path

from usage.views.company import company_usage
from usage.views.findings import finding_action

app_name = "usage"

urlpatterns = [
    path("", company_usage, name="company"),
    path("findings/<int:pk>/<slug:action>/", finding_action, name="finding_action"),
]
