"""What says a message meant for a person is not French: words of the English that pydantic,
FastAPI, Starlette and email-validator speak, which French never uses."""

from __future__ import annotations

import re

ENGLISH = re.compile(
    r"\b(should|must|input|inputs|value|field|required|valid|invalid|the|be|at least|at most|characters?|"
    r"items?|not|permitted|error|allowed|expected|extra|string|number|integer|dictionary|datetimes?|"
    r"found|method|body|request|limited|bytes|used|different|missing|unknown|too|address|sign|"
    r"in state|waiting|while|with|zero|time)\b", re.IGNORECASE)


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)
