"""`POST /admin/records-imports`: the export over HTTP, behind its own token (not the API layers'),
streamed past the journeys' body limit, answered with the import's report."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from parcours.http_api import create_app
from tests.test_http_api import assert_problem
from tests.test_records_import import EMMA_JEAN, HEADER, LUCAS, NOUR

ADMIN, LAYER = "admin-token-for-records", "token-of-the-api-layers"


@pytest.fixture
async def admin(parcours, settings):
    guarded = settings.model_copy(update={"records_admin_token": SecretStr(ADMIN),
                                          "http_api_token": SecretStr(LAYER)})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(guarded, parcours)),
                                 base_url="http://parcours") as client:
        yield client


def body(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


async def test_only_the_admin_token_imports(admin):
    for given in (None, f"Bearer {LAYER}", "Bearer wrong"):
        headers = {"Authorization": given} if given else {}
        assert_problem(await admin.post("/admin/records-imports", content=body(LUCAS), headers=headers),
                       401, "unauthorized")


async def test_an_export_larger_than_the_journeys_limit_is_imported_and_reported(admin, settings):
    padding = [LUCAS] * (settings.http_api_max_body_bytes // len(LUCAS) + 1)  # the same link again
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "text/csv"}
    answer = await admin.post("/admin/records-imports", content=body(*padding, EMMA_JEAN), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total_changes"] == 6 and answer.json()["schools"][0]["applied"] is True
    dry = await admin.post("/admin/records-imports", params={"dry_run": "true"}, headers=headers,
                           content=body(LUCAS.replace("12/03", "13/03"), EMMA_JEAN, NOUR.replace("2010", "2O10")))
    report = dry.json()
    assert dry.status_code == 200 and report["dry_run"] is True and report["schools"][0]["details"] == [
        "élève E1 modifié : date de naissance"]
    assert report["schools"][1]["errors"][0]["line"] == 4
    refused = await admin.post("/admin/records-imports", content=b"uai\n0751234A\n", headers=headers)
    assert "colonnes manquantes" in assert_problem(refused, 422, "invalid_input")["detail"]
