"""Authentication backend: Django's ModelBackend, with the signed-in user loaded
together with its myndighed (one query instead of two on every page: the header
names the myndighed and every scoped query starts from it)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class BrugerBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("myndighed").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
