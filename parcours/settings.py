"""Every tunable number of SPEC.md's defaults table, read from PARCOURS_* environment variables."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRETS_FILE = Path(".parcours/secrets.env")
# The dev keys live in the folder `parcours up` ran in (it writes them there once).
MISSING_KEY_HINT = (f"(clés de dev : lancez la commande depuis le dossier où `parcours up` a tourné, qui les garde "
                    f"dans {DEV_SECRETS_FILE} ; ailleurs, définissez la variable ou un fichier .env)")


def _time_zone(name: str) -> str:
    """An IANA zone this machine knows, checked at start rather than at a user's first refusal."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"fuseau horaire inconnu : {name!r} (par exemple Europe/Paris)") from None
    return name


def _iso(duration: timedelta) -> str:
    """A duration as the settings are written (ISO 8601: P1D, PT30M)."""
    return TypeAdapter(timedelta).dump_python(duration, mode="json")


class SettingsError(RuntimeError):
    """A setting that is missing or malformed; the message names its PARCOURS_* variable."""


def _whsec(secret: SecretStr) -> SecretStr:
    if not secret.get_secret_value().startswith("whsec_"):
        raise ValueError("un secret de webhook commence par whsec_ (Standard Webhooks)")
    return secret


def _one_or_several(value: object) -> object:
    return value if isinstance(value, list) else [value]


class EventWebhook(BaseModel):
    """A service subscribed to the events: signed per Standard Webhooks with its `whsec_` secret,
    or with each of several during a rotation (one signature per secret)."""

    name: str = Field(min_length=1, max_length=100)
    url: str
    secret: Annotated[list[Annotated[SecretStr, AfterValidator(_whsec)]], BeforeValidator(_one_or_several),
                      Field(min_length=1)]

    def secret_values(self) -> list[str]:
        return [secret.get_secret_value() for secret in self.secret]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARCOURS_",
        env_file=(".env", str(DEV_SECRETS_FILE)),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "parcours"

    # Application database (SQLite by default, PostgreSQL with postgresql+asyncpg://…)
    database_url: str = "sqlite+aiosqlite:///.parcours/parcours.db"

    # Codes (SPEC defaults)
    code_validity: timedelta = timedelta(minutes=30)
    code_digits: int = Field(default=6, ge=4, le=10)
    code_max_wrong_tries: int = Field(default=5, ge=1)
    resend_cooldown: timedelta = timedelta(seconds=60)
    codes_per_journey: int = Field(default=5, ge=1)
    birth_date_max_wrong_tries: int = Field(default=3, ge=1)
    journey_idle_lifetime: timedelta = timedelta(hours=24)
    email_link_validity: timedelta = timedelta(hours=24)
    password_reset_link_validity: timedelta = timedelta(hours=1)
    default_phone_region: str = "FR"
    # The zone of the times users read (refusals' « à partir de 08:47 », mails' dates); an IANA name.
    user_time_zone: Annotated[str, AfterValidator(_time_zone)] = "Europe/Paris"
    # Sign-in: failures in a row before the account is locked for a while (SPEC: "failures capped").
    sign_in_max_failures: int = Field(default=10, ge=1)
    sign_in_lockout: timedelta = timedelta(minutes=15)
    # Operators' JourneyState search attribute shows a state once it has lasted this long (or the
    # journey ended): a user going through steps quickly costs no upsert per step. 0: every state
    # at once. The current details (Temporal UI) always show the state at once.
    operator_state_lag: timedelta = timedelta(seconds=60)
    # argon2id parameters for new password hashes (OWASP: 19 MiB, 2 passes, 1 lane at least).
    password_hash_time_cost: int = Field(default=2, ge=2)
    password_hash_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    password_hash_parallelism: int = Field(default=1, ge=1)
    # Abuse limits, across every journey. A destination (number, address) gets at most so many
    # messages an hour and a day (SMS pumping, mail bombing). An account takes at most so many failed
    # code or password tries per clock hour, so never more than twice that in any 60 minutes (ASVS
    # 2.2.1: at most 100 an hour).
    sms_per_destination_per_hour: int = Field(default=8, ge=1)
    sms_per_destination_per_day: int = Field(default=20, ge=1)
    mails_per_destination_per_hour: int = Field(default=10, ge=1)
    mails_per_destination_per_day: int = Field(default=30, ge=1)
    account_failed_tries_per_hour: int = Field(default=50, ge=1, le=50)
    # How long a user-facing send is retried (provider down) before the message is abandoned and
    # the user told; background sends (recovery) are retried for the journey's idle lifetime.
    message_send_budget: timedelta = timedelta(minutes=2)
    # R-ACT-1/R-ACT-2 say whether an identity matched ("ne vous a pas été attribué", "déjà activé").
    # True answers every identity alike, before the lookup, with a decoy code step for no match and
    # a notice to the school's contact for an active account: nothing tells a stranger.
    activation_uniform_answers: bool = False
    # R-REC-7: False gives the same answer whether or not an account matches (default); True
    # restores the seeds' explicit "adresse non reconnue".
    recovery_reveals_unknown: bool = False
    # Where the password-reset link of the mails points (the API layer's page).
    public_base_url: str = "http://localhost:8000"

    # Secrets. HMAC key for codes and opaque references; payload keys as "id:base64" pairs,
    # the first one encrypts, all of them decrypt (rotation).
    secret_key: SecretStr | None = None
    payload_keys: SecretStr | None = None

    # HTTP API (parcours.http_api) for API layers. With a token, every call but /health must carry
    # "Authorization: Bearer <token>" (the API layer authenticates users; this authenticates it).
    http_api_host: str = "127.0.0.1"
    http_api_port: int = Field(default=8080, ge=1, le=65535)
    http_api_token: SecretStr | None = None
    http_api_max_body_bytes: int = Field(default=16 * 1024, ge=1024)  # the largest input is ~2 KiB
    # The admin import of school records (POST /admin/records-imports) has its own token, never the
    # API layers' one: without it, the route refuses everyone. Its body, a whole export, is spooled
    # to a temporary file up to this size (a large académie's export is some hundred MiB).
    records_admin_token: SecretStr | None = None
    records_import_max_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024)
    # How long a sign-in's session token proves it (parcours/security/sessions.py): « Mon compte »
    # reads and journeys need one; a password change or a merge revokes it sooner.
    session_lifetime: timedelta = Field(default=timedelta(minutes=30), gt=timedelta(0))
    temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    # Tester mode: how long `parcours clock advance` waits for the test server. Time skips at once
    # unless a workflow task waits on a queue nobody polls; then the advance gives up and says so.
    clock_advance_timeout: timedelta = timedelta(seconds=15)

    # Observability. Prometheus: the Temporal SDK serves its runtime metrics and Parcours' journey
    # counters at http://<metrics_bind_address>/metrics ("" turns it off). Traces: OpenTelemetry
    # spans for every workflow, update and activity, exported by OTLP/HTTP to otlp_endpoint.
    metrics_bind_address: str = "127.0.0.1:9464"
    tracing_exporter: Literal["none", "otlp", "console"] = "none"
    otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"

    # Codec server (lets the Temporal Web UI and CLI decrypt payloads for operators)
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = 8081
    codec_server_token: SecretStr | None = None
    temporal_ui_origin: str = "http://localhost:8233"

    # Messaging: "dev" writes to a readable inbox file; "smtp" / "http" are the real providers.
    mail_provider: Literal["dev", "smtp"] = "dev"
    sms_provider: Literal["dev", "http"] = "dev"
    dev_inbox_path: Path = Path(".parcours/dev-inbox.jsonl")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_sender: str = "EduConnect <ne-pas-repondre@educonnect.example>"
    # The right-hand side of every Message-ID (its left is a keyed digest of the message's key).
    mail_message_id_domain: str = Field(default="educonnect.example", pattern=r"^[A-Za-z0-9.-]+$")
    sms_gateway_url: str = "http://127.0.0.1:8025/sms"
    sms_gateway_token: SecretStr | None = None
    sms_sender: str = "EduConnect"
    provider_timeout: timedelta = timedelta(seconds=10)
    # Journeys a worker keeps in memory between their steps; one evicted is replayed from its
    # history when it next wakes (the SDK's default is 1,000).
    worker_max_cached_workflows: int = Field(default=1000, ge=0)
    # Workflow tasks a worker runs at once (each with its local activities: database work, sends).
    # They share one event loop, so past a handful they only wait on each other: at the SDK's 100,
    # a burst of journeys made tasks outlast their 10-second time-out and be run again — a collapse.
    # Past this number, tasks wait on the server, where waiting costs nothing.
    worker_max_concurrent_workflow_tasks: int = Field(default=10, ge=2)
    # How long a journey's next workflow task waits for the worker that ran its last one (which has
    # it in memory) before any worker may take it. A worker that dies holds its journeys this long:
    # the SDK's 10 s by default; shorter moves them sooner, at the cost of more replays when a
    # worker is only slow (the tests that SIGKILL workers set it low).
    worker_sticky_queue_timeout: timedelta = Field(default=timedelta(seconds=10), gt=timedelta(0))
    # The workflow sandbox (parcours/temporal/sandbox.py) re-imports workflow modules for each journey it
    # runs, to catch non-deterministic code; False runs them bare (less memory and CPU per journey,
    # no such guard).
    workflow_sandbox: bool = True
    # Events out (docs/events.md): the webhooks told of every event, as JSON
    # '[{"name": "ent", "url": "https://…", "secret": "whsec_…"}]'; the name keys its cursor.
    event_webhooks: list[EventWebhook] = []
    event_poll_interval: timedelta = timedelta(seconds=2)  # the relay's wait when nothing is new
    event_batch_size: int = Field(default=100, ge=1)  # events sequenced, then posted, per relay step
    event_delivery_timeout: timedelta = timedelta(seconds=10)  # one webhook POST
    event_relay_step_timeout: timedelta = timedelta(minutes=2)  # one relay step: a killed worker's is retried after it
    # A step heartbeats after each delivery: silent this long (longer than one POST), it is retried.
    event_relay_heartbeat_timeout: timedelta = timedelta(seconds=30)
    event_retry_initial: timedelta = timedelta(seconds=1)  # backoff of a failing step: doubled up to the maximum
    event_retry_maximum: timedelta = timedelta(minutes=1)
    # A subscriber still failing after this long (its tries, backed off as above) is held as failing
    # until an operator resumes or skips it (`parcours events`): the others go on meanwhile.
    event_subscriber_give_up_after: timedelta = timedelta(hours=1)
    event_relay_steps_per_run: int = Field(default=500, ge=1)  # then continue-as-new: a short history
    event_feed_max_limit: int = Field(default=500, ge=1)  # GET /events?limit=
    # Personal data kept no longer than needed (README « Sécurité », docs/operators.md « Retention »):
    # a Temporal Schedule runs the purge every `retention_purge_interval`, `retention_batch_size`
    # rows per transaction. A journey's row (code, sent-message ledger, claim, merge) goes once
    # older than its retention AND its journey no longer runs; an event once every subscriber has
    # it AND older than the feed's retention (a poller must come back within it).
    retention_purge_interval: timedelta = Field(default=timedelta(hours=1), ge=timedelta(minutes=1))
    retention_batch_size: int = Field(default=500, ge=1, le=10_000)
    code_retention: timedelta = Field(default=timedelta(days=1), ge=timedelta(0))  # after the code's expiry
    # The ledger is what the destination limits count (a day), and the send retries' key (a
    # background send is retried for a journey's idle lifetime): see _retentions_cover_their_readers.
    delivery_retention: timedelta = timedelta(days=2)
    claim_retention: timedelta = Field(default=timedelta(days=1), ge=timedelta(0))  # after the claim
    merge_retention: timedelta = Field(default=timedelta(days=7), ge=timedelta(0))  # after the merge
    # The key and hour window of an account's failed tries (activities/attempt_budget.py), after the
    # window began; the hour is added to it.
    failed_attempt_retention: timedelta = Field(default=timedelta(days=1), ge=timedelta(0))
    event_feed_retention: timedelta = Field(default=timedelta(days=30), ge=timedelta(hours=1))
    # Worker logs: "json" (one object a line, with journey_id and activity fields) or "text".
    log_format: Literal["json", "text"] = "json"

    @field_validator("delivery_retention")
    @classmethod
    def _retentions_cover_their_readers(cls, retention: timedelta, info: ValidationInfo) -> timedelta:
        """The ledger's rows are counted by the destination limits for a day and are the key of a
        send retried for up to a journey's idle lifetime: a shorter retention would let a
        destination past its limits, or send a message twice."""
        from parcours.messaging.courier import DAY  # the limits' longest window (a leaf module imports no courier)

        needed = max(DAY, info.data.get("journey_idle_lifetime", DAY), info.data.get("message_send_budget", DAY))
        if retention < needed:
            raise ValueError(f"durée trop courte : au moins {_iso(needed)} (la journée que comptent les limites par "
                             f"destination, la durée de vie d'un parcours inactif, la durée d'essai d'un envoi)")
        return retention

    def environment(self) -> dict[str, str]:
        """These settings as the PARCOURS_* variables another process (a worker) reads."""
        variables = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, timedelta):
                value = f"PT{value.total_seconds()}S"
            elif name == "event_webhooks":  # JSON in the environment, secrets readable
                value = json.dumps([{**w.model_dump(), "secret": w.secret_values()} for w in self.event_webhooks])
            variables[f"PARCOURS_{name.upper()}"] = str(value)
        return variables

    def require_secret_key(self) -> bytes:
        if self.secret_key is None:
            raise SettingsError(f"PARCOURS_SECRET_KEY n'est pas défini {MISSING_KEY_HINT}")
        return self.secret_key.get_secret_value().encode()

    def payload_key_ring(self) -> list[tuple[str, bytes]]:
        """The payload encryption keys, the active one first."""
        if self.payload_keys is None:
            raise SettingsError(f"PARCOURS_PAYLOAD_KEYS n'est pas défini {MISSING_KEY_HINT}")
        ring = []
        for pair in self.payload_keys.get_secret_value().split(","):
            key_id, _, encoded = pair.strip().partition(":")
            key = base64.b64decode(encoded)
            if not key_id or len(key) not in (16, 24, 32):
                raise SettingsError("PARCOURS_PAYLOAD_KEYS doit être une liste de paires « id:clé-en-base64 » "
                                    "(clés de 128, 192 ou 256 bits)")
            ring.append((key_id, key))
        return ring


def generate_secrets_env() -> str:
    """Fresh dev secrets, in the env-file format Settings reads."""
    payload_key = base64.b64encode(secrets.token_bytes(32)).decode()
    return (
        f"PARCOURS_SECRET_KEY={secrets.token_urlsafe(32)}\n"
        f"PARCOURS_PAYLOAD_KEYS=dev1:{payload_key}\n"
        # The reference front end's own key (its session cookie): another deployable, another key.
        f"PARCOURS_WEB_SECRET_KEY={secrets.token_urlsafe(32)}\n"
        # The records import over HTTP (POST /admin/records-imports): its own token, to try it on the stack.
        f"PARCOURS_RECORDS_ADMIN_TOKEN={secrets.token_urlsafe(32)}\n"
    )


def ensure_dev_secrets(path: Path = DEV_SECRETS_FILE) -> Path:
    """Create the dev secrets file once; later runs keep the same keys so old histories still decrypt.
    A key added since the file was made (the front end's, the admin token) is appended, the others kept."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate_secrets_env())
        path.chmod(0o600)
        return path
    present = {line.split("=", 1)[0] for line in path.read_text().splitlines() if "=" in line}
    missing = [line for line in generate_secrets_env().splitlines() if line.split("=", 1)[0] not in present]
    if missing:
        with path.open("a") as secrets_file:
            secrets_file.write("".join(line + "\n" for line in missing))
    return path


@lru_cache
def get_settings() -> Settings:
    return Settings()
