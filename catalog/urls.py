from django.urls import path

from catalog.views import (
    approvals,
    catalog,
    compare,
    directory,
    lifecycle_actions,
    recommend,
    requests,
    revocations,
    status,
    units,
)

app_name = "catalog"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("models/<slug:slug>/", catalog.model_detail, name="model_detail"),
    path("compare/", compare.compare, name="compare"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("approvals/", approvals.approval_queue, name="approval_queue"),
    path("approvals/<int:pk>/decide/", approvals.approval_decide, name="approval_decide"),
    path("business-units/", directory.unit_list, name="unit_list"),
    path("business-units/<slug:slug>/", units.unit_detail, name="unit_detail"),
    path("business-units/<slug:slug>/join/", directory.unit_join, name="unit_join"),
    path(
        "join-requests/<int:pk>/<slug:verdict>/",
        directory.join_request_decide_view,
        name="join_request_decide",
    ),
    path(
        "adoptions/<int:pk>/revoke/confirm/",
        revocations.adoption_revoke_confirm,
        name="adoption_revoke_confirm",
    ),
    path(
        "adoptions/<int:pk>/ask-review/",
        lifecycle_actions.ask_successor_review,
        name="ask_successor_review",
    ),
    path(
        "adoptions/<int:pk>/undo-revoke/",
        revocations.adoption_revoke_undo_view,
        name="adoption_revoke_undo",
    ),
    path("adoptions/<int:pk>/<slug:action>/", units.adoption_action, name="adoption_action"),
    path("status/", status.status, name="status"),
    path("status/run/", status.run_job, name="run_job"),
    path("recommend/", recommend.recommend_page, name="recommend"),
]
