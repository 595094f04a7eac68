"""What the recovery tests share: Sophie's contacts and the token of a mailed link."""

import re
from urllib.parse import parse_qs, urlparse

SOPHIE = {"identifier": "s.bernard1", "email": "sophie.bernard@example.org"}
NEW_PASSWORD = "Nouveau-Cartable-7!"


def link_token(inbox) -> tuple[str, str]:
    """(journey id, token) from the last mail's link."""
    link = re.search(r"http\S+", inbox.messages()[-1]["body"]).group(0)
    query = parse_qs(urlparse(link).query)
    return query["parcours"][0], query["jeton"][0]
