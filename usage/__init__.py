"""Usage and spend: what units really use and pay, next to what they were approved to spend."""
