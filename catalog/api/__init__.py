"""REST API v1 for internal tools (gateways, chat front-ends, cost dashboards)."""
