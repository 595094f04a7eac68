"""`parcours-web` (or `python -m parcours.web.serve`): the front end alone, before an HTTP API
somewhere (PARCOURS_WEB_API_URL). Never with the dev inbox page: only the embedded stack gives it."""

from __future__ import annotations

import uvicorn

from parcours.web.app import create_web_app
from parcours.web.settings import WebSettings


def main() -> None:
    settings = WebSettings()
    uvicorn.run(create_web_app(settings), host=settings.host, port=settings.port, server_header=False,
                access_log=False)  # paths hold no secret, but keep the logs as quiet as the API's


if __name__ == "__main__":
    main()
