"""`make load`: employees browsing, tools reading the API, members requesting, approvers deciding.

Run against gunicorn + PostgreSQL + Redis on loopback (see the Makefile's `load` target).
"""

import json
import os
import random

from locust import HttpUser, between, task

# {username: {"session", "token"}} from loadtest/credentials.py (see scripts/load.sh).
CREDENTIALS = json.loads(os.environ["LOAD_CREDENTIALS"])


class Employee(HttpUser):
    """Browses the catalog in a browser session and reads the API with a token."""

    wait_time = between(0.5, 1.5)
    weight = 6
    username = "victor"

    def on_start(self) -> None:
        mine = CREDENTIALS[self.username]
        self.client.cookies.set("sessionid", mine["session"])
        self.api = {"Authorization": f"Token {mine['token']}"}
        models = self.client.get(
            "/api/v1/models/?status=approved&page_size=100", headers=self.api, name="api models"
        ).json()
        self.slugs = [m["slug"] for m in models["results"]] or ["gpt-4o"]

    @task(4)
    def browse_catalog(self) -> None:
        self.client.get("/?status=approved", name="catalog page")
        self.client.get(
            "/?search=gpt&status=approved",
            headers={"HX-Request": "true"},
            name="catalog search (htmx)",
        )

    @task(3)
    def model_page(self) -> None:
        self.client.get(f"/models/{random.choice(self.slugs)}/", name="model page")

    @task(5)
    def api_reads(self) -> None:
        self.client.get(
            "/api/v1/models/?specialty=chat&ordering=input_price&page_size=50",
            headers=self.api,
            name="api models filtered",
        )
        self.client.get(
            "/api/v1/business-units/marketing/models/", headers=self.api, name="api unit models"
        )
        self.client.get(
            "/api/v1/recommendations/?specialty=chat&monthly_input_tokens=50000000"
            "&monthly_output_tokens=10000000",
            headers=self.api,
            name="api recommendations",
        )


class Requester(Employee):
    """A Marketing member asking for models; 409 (already asked / adopted) is an expected answer."""

    weight = 2
    username = "alice"

    @task(2)
    def request_model(self) -> None:
        body = {
            "model": random.choice(self.slugs),
            "business_unit": "marketing",
            "use_case": "Load test",
            "justification": "Measuring throughput.",
            "data_classification": "public",
            "expected_monthly_input_tokens": 1000,
            "expected_monthly_output_tokens": 100,
        }
        with self.client.post(
            "/api/v1/approval-requests/",
            json=body,
            headers=self.api,
            name="api create request",
            catch_response=True,
        ) as response:
            if response.status_code in (201, 400, 409):
                response.success()


class Approver(Employee):
    """An approver working the queue; a request someone else decided first answers 409."""

    weight = 2
    username = "bob"

    @task(2)
    def decide(self) -> None:
        pending = self.client.get(
            "/api/v1/approval-requests/?status=pending", headers=self.api, name="api pending"
        ).json()["results"]
        if not pending:
            return
        request = random.choice(pending)
        verb = random.choice(["approve", "reject"])
        with self.client.post(
            f"/api/v1/approval-requests/{request['id']}/{verb}/",
            json={"comment": "Load test decision."},
            headers=self.api,
            name=f"api {verb}",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 400, 409):
                response.success()
