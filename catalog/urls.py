from django.urls import path

from catalog.views import catalog

app_name = "catalog"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("models/<slug:slug>/", catalog.model_detail, name="model_detail"),
]
