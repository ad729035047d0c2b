"""Print {username: {"session": …, "token": …}} for the load test's personas.

Logging in costs a deliberate ~0.5 s of PBKDF2 per password check; 50 simulated users logging in
at once would measure the hasher, not the catalog. Sessions are made the way Django's test
client's force_login makes them.
"""

import json
import os
import sys
from importlib import import_module

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelshelf.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402

store = import_module(settings.SESSION_ENGINE).SessionStore
credentials = {}
for username in sys.argv[1:]:
    user = User.objects.get(username=username)
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    token, _ = Token.objects.get_or_create(user=user)
    credentials[username] = {"session": session.session_key, "token": token.key}
print(json.dumps(credentials))
