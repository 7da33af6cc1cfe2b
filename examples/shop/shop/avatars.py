"""A sync helper module: the blocking call sits one call below the handler that uses it."""

import requests

AVATAR_URL = "https://avatars.example.com/{user_id}.png"


def fetch_avatar(user_id: int) -> bytes:
    response = requests.get(AVATAR_URL.format(user_id=user_id), timeout=10)
    return response.content


def avatar_url(user_id: int) -> str:
    return AVATAR_URL.format(user_id=user_id)
