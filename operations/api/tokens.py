"""Personal API tokens: made (the token shown once), found by the digest of what a client sends, revoked."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import ApiToken

PREFIX = "tot_"
# A token's last use is written at most this often: one UPDATE per client a minute, not one per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@transaction.atomic
def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: (the stored row, the token itself, which is not kept anywhere)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[: len(PREFIX) + 4], digest=digest(token))
    return row, token


def revoke_token(user, token_id) -> bool:
    """Revoke one of `user`'s tokens; False when they have no such live token."""
    return bool(
        ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def user_for_token(token: str):
    """(user, ApiToken) for a live token of an active user, its last use recorded; None for anything else."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row.user, row
