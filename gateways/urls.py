from django.urls import path

from gateways.views import gateway_action, gateway_list, gateway_plan_fragment

app_name = "gateways"

urlpatterns = [
    path("", gateway_list, name="list"),
    path("<int:pk>/plan/", gateway_plan_fragment, name="plan"),
    path("<int:pk>/<slug:action>/", gateway_action, name="action"),
]
