"""Mediators and admins: accounts, password hashes and login sessions (console cookie or API bearer token)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import bcrypt
from sqlalchemy import ForeignKey, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.audit import LOGIN, LOGIN_FAILED, AuditEntry, audit_change
from core.clock import aware, utcnow
from core.db import Base

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 8
# Failed logins are counted per account and client address, so a guesser slows down only themselves: after
# FREE_FAILURES within the window, each further try from that address waits twice as long as the one before
# (2 s, 4 s, 8 s … at most the window). All addresses together get ACCOUNT_CEILING failures per window, a
# ceiling only an attack spread over many addresses reaches.
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=2)
ACCOUNT_CEILING = 100
LOGIN_CHANNELS = ("console", "api")
_UNKNOWN_USER_HASH = bcrypt.hashpw(b"no such user", bcrypt.gensalt())


class Role(StrEnum):
    MEDIATOR = "mediator"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class LoginSession(Base):
    """Only a hash of the token is stored: a leaked database does not log anyone in."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    user: Mapped[User] = relationship()


class AccountError(ValueError):
    pass


class UserExists(AccountError):
    pass


class NoSuchUser(AccountError):
    pass


class WeakPassword(AccountError):
    pass


class LastAdmin(AccountError):
    """The change would leave nobody able to manage accounts or the knowledge base."""


class NotAdmin(PermissionError):
    pass


def check_may_manage_accounts(user: User) -> None:
    """Only an active admin lists, creates, disables and changes accounts and reads the audit log."""
    if not (user.active and user.is_admin):
        raise NotAdmin("only admins manage accounts")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def create_user(session: Session, username: str, password: str, role: Role, display_name: str = "") -> User:
    username = username.strip()
    if not username:
        raise AccountError("username is empty")
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserExists(f"user {username} exists")
    user = User(
        username=username, display_name=display_name or username, role=Role(role), password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


def add_user(session: Session, actor: str, username: str, password: str, role: Role, display_name: str = "") -> User:
    """An account created from the console, audited with who created it."""
    user = create_user(session, username, password, role, display_name)
    audit_change(session, actor, "user.create", f"user:{user.username}", None,
                 {"role": user.role, "display_name": user.display_name, "active": True})
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        bcrypt.checkpw(password.encode(), _UNKNOWN_USER_HASH)  # same cost as a real check: no user probing by timing
        return None
    return user if bcrypt.checkpw(password.encode(), user.password_hash.encode()) else None


@dataclass(frozen=True)
class LoginAttempt:
    """Where a login comes from: the console or the API, and the client's address."""

    channel: str
    address: str

    @property
    def detail(self) -> str:
        """As the audit log records the attempt, which is where the throttle counts it."""
        return f"{self.channel} from {self.address}"


def login_wait(session: Session, username: str, address: str, now: datetime | None = None) -> timedelta:
    """How long before an attempt at this account from this address is checked again (zero: now).

    Counted from the audit log, so it holds across app workers. Refused attempts are not failures, and a
    successful login from an address clears that address's failures.
    """
    now = now or utcnow()
    recent = (AuditEntry.actor == username, AuditEntry.created_at >= now - FAILED_LOGIN_WINDOW)
    failures = select(AuditEntry.created_at).where(*recent, AuditEntry.action == LOGIN_FAILED)
    from_address = AuditEntry.detail.in_([LoginAttempt(channel, address).detail for channel in LOGIN_CHANNELS])
    succeeded = session.scalar(
        select(func.max(AuditEntry.created_at)).where(*recent, AuditEntry.action == LOGIN, from_address)
    )
    mine = failures.where(from_address)
    if succeeded is not None:
        mine = mine.where(AuditEntry.created_at > succeeded)
    from_here = list(session.scalars(mine.order_by(AuditEntry.created_at.desc())))
    waits = [timedelta(0)]
    if len(from_here) >= FREE_FAILURES:
        delay = min(FIRST_DELAY * 2 ** (len(from_here) - FREE_FAILURES), FAILED_LOGIN_WINDOW)
        waits.append(aware(from_here[0]) + delay - now)
    everyone = list(session.scalars(failures.order_by(AuditEntry.created_at.desc()).limit(ACCOUNT_CEILING)))
    if len(everyone) >= ACCOUNT_CEILING:
        waits.append(aware(everyone[-1]) + FAILED_LOGIN_WINDOW - now)
    return max(waits)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User) -> tuple[str, LoginSession]:
    """The raw token goes to the client once; the database keeps its digest."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24), expires_at=utcnow() + SESSION_LIFETIME
    )
    session.add(login)
    session.flush()
    return token, login


def resolve_session(session: Session, token: str) -> LoginSession | None:
    login = session.get(LoginSession, _digest(token))
    if login is None or aware(login.expires_at) <= utcnow() or not login.user.active:
        return None
    return login


def close_session(session: Session, token: str) -> None:
    login = session.get(LoginSession, _digest(token))
    if login is not None:
        session.delete(login)


def mediators(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NoSuchUser(f"no user {username}")
    return user


def set_active(session: Session, actor: str, username: str, active: bool) -> User:
    """Disabling also ends the account's open sessions, so a console left open stops working at once."""
    user = find_user(session, username)
    if not active:
        _keep_an_admin(session, user)
    if user.active != active:
        audit_change(session, actor, "user.enable" if active else "user.disable", f"user:{username}",
                     {"active": user.active}, {"active": active})
        user.active = active
    if not active:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return user


def reset_password(session: Session, actor: str, username: str, password: str) -> User:
    """A new password; every open session of the account ends. An unknown account is named before a weak
    password, so a mistyped name is never answered as if it existed."""
    user = find_user(session, username)
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"password must have at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    audit_change(session, actor, "user.reset_password", f"user:{username}", None, None)
    return user


def set_role(session: Session, actor: str, username: str, role: Role) -> User:
    user = find_user(session, username)
    if role != Role.ADMIN:
        _keep_an_admin(session, user)
    if user.role != role:
        audit_change(session, actor, "user.set_role", f"user:{username}", {"role": user.role}, {"role": role.value})
        user.role = role.value
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Nobody could manage accounts or the knowledge base any more from the console."""
    if not (user.is_admin and user.active):
        return
    admins = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    if (session.scalar(admins) or 0) <= 1:
        raise LastAdmin(f"{user.username} is the last active admin")
