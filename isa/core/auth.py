"""Role checks, enforced on the server for every view."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from ..users.models import Role


def roles_required(*roles):
    """Allow only signed-in users with one of `roles` (admins may do whatever officers may)."""
    allowed = {Role(r) for r in roles}
    if Role.OFFICER in allowed:
        allowed.add(Role.ADMIN)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                current_app.logger.warning(
                    "access refused: %s (%s) to %s", current_user.email, current_user.role, request.path
                )
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


officer_required = roles_required(Role.OFFICER)
admin_required = roles_required(Role.ADMIN)
signed_in_required = roles_required(Role.OFFICER, Role.PARTNER)
