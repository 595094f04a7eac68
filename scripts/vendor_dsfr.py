"""Copies the DSFR's built CSS from web/node_modules (`npm ci --ignore-scripts --prefix web`) into
web/static/dsfr/, with the icons it names and its licence: the front end ships as a wheel, so
its assets are package data, not an npm install at run time. The Marianne fonts are left out
(their use is bound by the État's own terms): the @font-face rules go, the CSS's fallbacks
(arial, sans-serif: system fonts) take over. Run after changing the version in web/package.json:
`.venv/bin/python scripts/vendor_dsfr.py`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
PACKAGE = WEB / "node_modules" / "@gouvfr" / "dsfr"
TARGET = WEB / "static" / "dsfr"
FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
URL = re.compile(r"url\((icons/[^)\"']+)\)")


def main() -> None:
    css = FONT_FACE.sub("", (PACKAGE / "dist" / "dsfr.min.css").read_text(encoding="utf-8"))
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    (TARGET / "icons").mkdir(parents=True)
    (TARGET / "dsfr.min.css").write_text(css, encoding="utf-8")
    for icon in sorted(set(URL.findall(css))):
        destination = TARGET / icon
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / "dist" / icon, destination)
    shutil.copyfile(PACKAGE / "LICENSE.md", TARGET / "LICENSE.md")
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    (TARGET / "VERSION").write_text(f"@gouvfr/dsfr {version}\n", encoding="utf-8")
    print(f"DSFR {version} copied to {TARGET}")


if __name__ == "__main__":
    main()
