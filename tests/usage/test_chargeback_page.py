"""Chargeback on /usage/ (issue 28, item 8): it existed only in the API."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_spend_page_offers_the_months_chargeback_as_csv(client, approver):
    client.force_login(approver)
    page = client.get("/usage/").content.decode()
    (link,) = re.findall(r'href="(/api/v1/chargeback/\?month=[0-9-]+&amp;format=csv)"', page)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("cost_center,")
