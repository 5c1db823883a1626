"""Who may do what with the knowledge base: admins edit, publish, roll back and see what workers asked;
mediators may read the knowledge (cards, policies, stations, versions) and try questions against it."""

from core.users import Role, User


class NotAllowed(PermissionError):
    pass


def check_may_read(user: User) -> None:
    if user.role not in (Role.ADMIN, Role.MEDIATOR) or not user.active:
        raise NotAllowed("not a console user")


def check_may_edit(user: User) -> None:
    """Editing, publishing, rolling back, importing statutes; also gaps, feedback and the audit log."""
    check_may_read(user)
    if user.role != Role.ADMIN:
        raise NotAllowed("only admins change the knowledge base")
