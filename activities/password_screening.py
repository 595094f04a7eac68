"""The server's own look at a new password before it is written: the whole policy again (a client
that skipped the workflow's validator changes nothing) and, which only the database knows, the
account's identifier and names (NIST SP 800-63B: no context-specific words)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parcours import messages
from parcours.contracts.common import FieldError
from parcours.db.models import Account, GuardianRecord, StudentRecord
from parcours.refusals import rejection
from parcours.security.password_policy import personal_words, unmet_criteria


async def account_personal_words(session: AsyncSession, account: Account) -> list[str]:
    person: GuardianRecord | StudentRecord | None = None
    if account.guardian_id is not None:
        person = await session.get(GuardianRecord, account.guardian_id)
    elif account.student_id is not None:
        person = await session.get(StudentRecord, account.student_id)
    names = (person.first_name, person.last_name) if person is not None else ()
    return personal_words(account.identifier, *names)


async def screen_new_password(session: AsyncSession, account: Account, password: str, *,
                              field: str = "password") -> None:
    """Raise the refusal the journey hands to the user (every unmet criterion named); the caller's
    transaction is rolled back, so nothing is written."""
    screen_password(password, await account_personal_words(session, account), field=field)


def screen_password(password: str, words: list[str], *, field: str = "password") -> None:
    """`screen_new_password` for a caller that read the account's personal words itself."""
    unmet = unmet_criteria(password, words)
    if unmet:
        raise rejection("password_policy", messages.PASSWORD_POLICY_UNMET,
                        [FieldError(field=field, message=criterion) for criterion in unmet])
