from django.urls import path

from evaluations.views import landscape, suites

app_name = "evaluations"

urlpatterns = [
    path("evals/", suites.suite_list, name="suite_list"),
    path("evals/<slug:slug>/", suites.suite_detail, name="suite_detail"),
    path("evals/<slug:slug>/runs/", suites.suite_run, name="suite_run"),
    path("landscape/", landscape.landscape, name="landscape"),
]
