"""Accounts and the audit log in the console (admins only): list, create, disable, reset a password, change
a role — never leaving the installation without an active admin (core.users) — and every admin change with
who, when and before/after, filtered and exported as formula-safe CSV."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import Response
from sqlalchemy import select

from api.console import Level, NotFound, redirect, render
from api.deps import DatabaseDep, SettingsDep
from api.exports import csv_response
from api.security import Console, ConsoleDep, CsrfChecked, permitted
from core.audit import EXPORT_COLUMNS, AuditEntry, AuditFilter, audit, export_rows, find_entries
from core.clock import local_midnight
from core.users import (
    MIN_PASSWORD,
    AccountError,
    LastAdmin,
    NoSuchUser,
    Role,
    UserExists,
    WeakPassword,
    add_user,
    all_users,
    check_may_manage_accounts,
    reset_password,
    set_active,
    set_role,
)

router = APIRouter(tags=["console"], include_in_schema=False)

USERS = "/console/users"
AUDIT = "/console/audit"
SHOWN = 500
INVALID = status.HTTP_422_UNPROCESSABLE_CONTENT
ROLES = {Role.ADMIN.value: "管理员", Role.MEDIATOR.value: "调解员"}
# What an admin filters the log by: a prefix of the action names the code writes.
ACTIONS = {
    "kb.": "知识库修改",
    "user.": "账号管理",
    "login": "登录",
    "export": "导出",
    "member": "会员",
    "tickets.": "工单",
    "privacy.": "个人信息",
}
Username = Annotated[str, Form(max_length=64)]
Text = Annotated[str, Form(max_length=64)]
Password = Annotated[str, Form(max_length=200)]


def account_admin(context: ConsoleDep) -> Console:
    return permitted(context, check_may_manage_accounts, "只有管理员可以使用这个功能")


AccountAdmin = Annotated[Console, Depends(account_admin)]


def _in_words(error: AccountError, username: str) -> str:
    """core.users' refusals as the console says them."""
    if isinstance(error, LastAdmin):
        return f"{username} 是最后一位在用的管理员，不能停用或改为调解员（否则没人能管理账号和知识库）"
    if isinstance(error, WeakPassword):
        return f"密码至少要 {MIN_PASSWORD} 个字符"
    if isinstance(error, UserExists):
        return f"用户名 {username} 已经有人用了"
    return "用户名不能为空"


# ---- users ----


def _users_page(request: Request, context: Console, database, status_code: int = 200, **values: object) -> Response:
    with database.session() as session:
        users = all_users(session)
    return render(request, "console/users.html", context, status_code, users=users, roles=ROLES,
                  min_password=MIN_PASSWORD, **values)


@router.get(USERS, name="console_users")
def users_page(request: Request, context: AccountAdmin, database: DatabaseDep) -> Response:
    return _users_page(request, context, database)


@router.post(USERS, dependencies=[CsrfChecked])
def create_account(
    request: Request,
    context: AccountAdmin,
    database: DatabaseDep,
    username: Username = "",
    display_name: Text = "",
    role: Annotated[Role, Form()] = Role.MEDIATOR,
    password: Password = "",
) -> Response:
    try:
        with database.session() as session:
            user = add_user(session, context.user.username, username, password, role, display_name.strip())
            label = user.display_name
    except AccountError as error:
        draft = {"username": username, "display_name": display_name, "role": role.value}
        return _users_page(request, context, database, INVALID, error=_in_words(error, username.strip()), draft=draft)
    return redirect(USERS, f"已创建账号“{label}”（{ROLES[role.value]}）")


def _change(database, context: Console, username: str, change) -> Response | None:
    """Runs one account change; the page with the refusal when core.users refuses it."""
    try:
        with database.session() as session:
            change(session)
    except NoSuchUser:
        raise NotFound(f"没有用户 {username}", USERS, "回到用户管理") from None
    except AccountError as error:
        return redirect(USERS, _in_words(error, username), Level.ERROR)
    return None


@router.post(f"{USERS}/{{username}}/active", dependencies=[CsrfChecked])
def change_active(
    username: str, context: AccountAdmin, database: DatabaseDep, active: Annotated[bool, Form()] = False
) -> Response:
    refused = _change(database, context, username,
                      lambda session: set_active(session, context.user.username, username, active))
    return refused or redirect(USERS, f"已{'启用' if active else '停用'} {username}")


@router.post(f"{USERS}/{{username}}/role", dependencies=[CsrfChecked])
def change_role(username: str, context: AccountAdmin, database: DatabaseDep, role: Annotated[Role, Form()]) -> Response:
    refused = _change(database, context, username,
                      lambda session: set_role(session, context.user.username, username, role))
    return refused or redirect(USERS, f"{username} 现在是{ROLES[role.value]}")


@router.post(f"{USERS}/{{username}}/password", dependencies=[CsrfChecked])
def change_password(username: str, context: AccountAdmin, database: DatabaseDep, password: Password = "") -> Response:
    refused = _change(database, context, username,
                      lambda session: reset_password(session, context.user.username, username, password))
    return refused or redirect(USERS, f"已重设 {username} 的密码，他在别处的登录都已退出")


# ---- audit ----


@dataclass(frozen=True)
class LogQuery:
    """The log's filter as asked (the page's form shows it again, an export's audit entry names it) and as
    core reads it (`where`)."""

    actor: str
    action: str
    since: date | None
    until: date | None
    where: AuditFilter


Actor = Annotated[str, Query(max_length=100)]
Action = Annotated[str, Query(max_length=20)]


def _log_query(settings: SettingsDep, actor: Actor = "", action: Action = "", since: date | None = None,
               until: date | None = None) -> LogQuery:
    """Dates are the federation's local days, `until` included."""
    zone = settings.timezone
    where = AuditFilter(
        actor=actor.strip() or None,
        action=action if action in ACTIONS else None,
        since=local_midnight(since, zone) if since else None,
        until=local_midnight(until + timedelta(days=1), zone) if until else None,
    )
    return LogQuery(actor, action, since, until, where)


LogQueryDep = Annotated[LogQuery, Depends(_log_query)]


@router.get(AUDIT, name="console_audit")
def audit_page(request: Request, context: AccountAdmin, database: DatabaseDep, asked: LogQueryDep) -> Response:
    with database.session() as session:
        entries = find_entries(session, asked.where, SHOWN)
        actors = list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))
    query = {"actor": asked.actor, "action": asked.action, "since": asked.since or "", "until": asked.until or ""}
    rows = [(entry, _shown(entry.before), _shown(entry.after)) for entry in entries]
    return render(request, "console/audit.html", context, rows=rows, actors=actors, actions=ACTIONS,
                  query=query, shown=SHOWN)


def _shown(state: Any) -> str | None:
    """Before/after as an admin reads it: indented JSON with the Chinese as written."""
    return None if state is None else json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True)


@router.get(f"{AUDIT}/export.csv")
def export_audit(context: AccountAdmin, database: DatabaseDep, asked: LogQueryDep) -> Response:
    """The filtered log as CSV (cells that a spreadsheet would run as formulas are defused); the export
    itself is audited."""
    where, since, until = asked.where, asked.since, asked.until
    with database.session() as session:
        rows = export_rows(find_entries(session, where, limit=100_000))
        audit(session, context.user.username, "export.audit",
              f"{len(rows)} entries; actor={where.actor or '*'} action={where.action or '*'} since={since} until={until}")
    return csv_response(EXPORT_COLUMNS, rows, "audit.csv")
