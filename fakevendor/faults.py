"""How long the fake vendor makes a client wait when it plays a rate limit or a timeout."""

RETRY_AFTER_SECONDS = 3
TIMEOUT_SLEEP_SECONDS = 30
