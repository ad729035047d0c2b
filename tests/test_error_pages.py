"""Friendly error pages in every mode, DEBUG included: `make run` is what newcomers see
(issue 28, item 8). Never Django's technical 404 listing the URL patterns."""

import pytest
from django.urls import path

from modelshelf.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urls, path("boom/", _boom)]


@pytest.fixture
def debug_client(client, member, settings):
    settings.DEBUG = True
    client.force_login(member)
    return client


def test_a_bogus_address_in_debug_is_our_404_not_the_url_list(debug_client):
    response = debug_client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404 and "Page not found" in page
    assert "URLconf" not in page and "Catalog" in page  # the app's own bar and page
    assert debug_client.get("/api/v1/nope/").json() == {"detail": "Not found."}


def test_nul_in_a_path_is_a_404_and_in_a_parameter_a_styled_400(debug_client):
    response = debug_client.get("/models/%00/")
    assert response.status_code == 404 and "<title>Page not found" in response.content.decode()
    response = debug_client.get("/?search=%00")
    page = response.content.decode()
    assert response.status_code == 400 and "could not be read" in page and "search" in page
    assert "app.css" in page  # styled like every page


@pytest.mark.urls(__name__)
def test_a_crash_in_debug_is_our_500_page(debug_client):
    debug_client.raise_request_exception = False
    response = debug_client.get("/boom/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    assert "Traceback" not in response.content.decode()
