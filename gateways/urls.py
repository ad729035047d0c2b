from django.urls import path

from gateways.models import findings_visible_to
from gateways.views import gateway_action, gateway_list, gateway_plan_fragment
from usage.views.findings import finding_action

app_name = "gateways"

urlpatterns = [
    path("", gateway_list, name="list"),
    path("<int:pk>/plan/", gateway_plan_fragment, name="plan"),
    path("<int:pk>/<slug:action>/", gateway_action, name="action"),
    # The usage findings' page action, on gateway findings (one view, one service).
    path(
        "findings/<int:pk>/<slug:action>/",
        finding_action,
        {"findings": findings_visible_to},
        name="finding_action",
    ),
]
