"""The app's settings with the bench's URLs in front: the bare-Django floor views beside the
app, served by the same gunicorn."""

from modelshelf.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_api"
