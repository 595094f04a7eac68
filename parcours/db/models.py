"""Tables. School records are imported and never edited by journeys (R-CON-9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# The hour of an account's failed tries (Account.failed_tries_window_start): activities/attempt_budget.py.
FAILED_TRIES_WINDOW = timedelta(hours=1)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}


class GuardianRecord(Base):
    """A guardian as the school knows them ("responsable d'élève"). An imported record is keyed by
    the school (UAI) and the school's own id for them (`parcours records import`, a sync); the demo
    records have neither."""

    __tablename__ = "school_guardians"
    __table_args__ = (UniqueConstraint("school_uai", "school_id", name="uq_school_guardians_school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_uai: Mapped[str | None] = mapped_column(String(8))
    school_id: Mapped[str | None] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # normalised
    links: Mapped[list[GuardianStudentLink]] = relationship(back_populates="guardian")


class StudentRecord(Base):
    __tablename__ = "school_students"
    __table_args__ = (UniqueConstraint("school_uai", "school_id", name="uq_school_students_school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_uai: Mapped[str | None] = mapped_column(String(8))  # as for GuardianRecord
    school_id: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(50))


class LinkRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    PERSON_IN_CHARGE = "person_in_charge"


class GuardianStudentLink(Base):
    __tablename__ = "school_guardian_student_links"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("school_guardians.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("school_students.id"))
    role: Mapped[str] = mapped_column(String(30))
    guardian: Mapped[GuardianRecord] = relationship(back_populates="links")
    student: Mapped[StudentRecord] = relationship()


class AccountStatus(StrEnum):
    PROVISIONED = "provisioned"
    ACTIVE = "active"
    MERGED = "merged"
    CLOSED = "closed"


class ContactStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    CONFIRMED = "confirmed"


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)  # opaque, safe for workflow ids and UI
    kind: Mapped[str] = mapped_column(String(20))  # guardian | student
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("school_guardians.id"), unique=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("school_students.id"), unique=True)
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.PROVISIONED)
    email: Mapped[str | None] = mapped_column(String(254))
    email_status: Mapped[str] = mapped_column(String(20), default=ContactStatus.NONE)
    mobile: Mapped[str | None] = mapped_column(String(20))
    mobile_status: Mapped[str] = mapped_column(String(20), default=ContactStatus.NONE)
    # A requested change waiting for confirmation; the confirmed address stays until then (R-CON-8).
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_mobile: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    franceconnect_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    sign_in_locked_until: Mapped[datetime | None]
    # Failed code and password tries of the current hour, across journeys (activities/attempt_budget.py).
    # Indexed: the retention purge finds the hours long past (parcours/db/retention.py).
    failed_tries_window_start: Mapped[datetime | None] = mapped_column(index=True)
    failed_tries_in_window: Mapped[int] = mapped_column(Integer, default=0)
    # The attempt key of the last failed password check: its retry (a COMMIT whose answer was lost)
    # is not counted again.
    last_failed_attempt_key: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None]
    # Raised by a password change or reset and by a merge: the session tokens given before no
    # longer prove a sign-in (parcours/security/sessions.py).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by the school (notification letter) for a provisioned account; works for a merge (R-KID-1).
    provisional_password_hash: Mapped[str | None] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    activated_at: Mapped[datetime | None]
    activated_by_journey: Mapped[str | None] = mapped_column(String(100))
    guardian: Mapped[GuardianRecord | None] = relationship()

    @property
    def school_guardian(self) -> GuardianRecord:
        """The school's record of a guardian's account (loaded: see account_by_ref); a student's
        account has none, and no guardian's journey reaches one."""
        if self.guardian is None:
            raise LookupError(f"account {self.ref} has no guardian record")
        return self.guardian


class AccountStudentStatus(StrEnum):
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    REPORTED = "reported"


class AccountStudent(Base):
    """A guardian account's answer about one of its school-record students."""

    __tablename__ = "account_students"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("school_students.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime]


class VerificationCode(Base):
    """A one-time code: only its keyed digest is kept."""

    __tablename__ = "verification_codes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    journey_id: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    # None for a decoy: a recovery that matched no account gets one too, so it behaves the same.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    max_wrong_tries: Mapped[int] = mapped_column(Integer)
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_key: Mapped[str | None] = mapped_column(String(200))
    last_attempt_status: Mapped[str | None] = mapped_column(String(20))
    consumed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    # The journey this code's issuance took the account over from (activities/claims.py): a
    # retried send answers it again, and that journey can no longer take the account back.
    displaced_journey_id: Mapped[str | None] = mapped_column(String(100))

    def is_expired(self, now: datetime | None = None) -> bool:
        """Journeys pass their workflow time; other callers get the wall clock."""
        return (now or datetime.now(UTC)) >= self.expires_at

    def issued_in(self, key_scope: str) -> bool:
        """Whether the run whose keys start with `key_scope` issued it: a code or link works only
        in the run that sent it, even where a later journey has the same workflow id."""
        return self.idempotency_key.startswith(f"{key_scope}/")


class DeliveryStatus(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    ABANDONED = "abandoned"  # the retry budget ran out; the journey told the user


class MessageDelivery(Base):
    """The courier's ledger: one row per logical message, so a retried send is never sent twice.
    The body is not kept (it may carry a code)."""

    __tablename__ = "message_deliveries"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(50))
    destination_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]  # the journey's time of the first attempt: the limits count these
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_message_deliveries_destination", "destination_digest", "channel", "created_at"),)


class JourneyClaim(Base):
    """Which live journey of a kind owns an account: a newer one takes over, the older one ends."""

    __tablename__ = "journey_claims"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    journey_id: Mapped[str] = mapped_column(String(100))
    superseded_journey_id: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime]


class AccountMerge(Base):
    """A merge done (R-KID-1), keyed by the journey step that did it: a retry of the merge whose
    commit answer was lost finds it and answers as the first attempt did."""

    __tablename__ = "account_merges"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kept_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    merged_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)  # merged once
    moved_students: Mapped[int] = mapped_column(Integer)
    merged_at: Mapped[datetime]


class LinkEvent(Base):
    """The outbox the services that consume guardian-student links read (R-KID-3): one row per
    event, written in the same transaction as the change it reports, keyed so a retry adds none."""

    __tablename__ = "link_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # parcours/events/payload.py: EVENT_TYPES
    account_ref: Mapped[str] = mapped_column(String(32))
    student_ref: Mapped[str | None] = mapped_column(String(32))
    # Refs only: the account merged into account_ref; the channel of a confirmed contact.
    other_account_ref: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]  # when the relay gave it its position
    # Given by the one relay, in commit order, after the commit: ids are taken before commits, so a
    # transaction committing late could slip under a cursor made of ids; positions cannot.
    position: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("position", name="uq_link_events_position"),)


class EventCursor(Base):
    """How far each webhook subscriber (PARCOURS_EVENT_WEBHOOKS, by name) has been delivered."""

    __tablename__ = "event_cursors"

    subscriber: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
