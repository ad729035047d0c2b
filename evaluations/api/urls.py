"""Evaluation endpoints, included under /api/v1/ by the project's API urls."""

from rest_framework.routers import DefaultRouter

from evaluations.api.views import EvalRunViewSet, EvalSuiteViewSet

router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("eval-suites", EvalSuiteViewSet, basename="eval-suite")
router.register("eval-runs", EvalRunViewSet, basename="eval-run")

urlpatterns = router.urls
