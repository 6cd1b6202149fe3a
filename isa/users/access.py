"""Role checks, enforced on the server for every view."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from .models import Role


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
                log_refusal(current_user, "role")
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


def log_refusal(user, reason):
    """Log an access refusal (who, which role, where, why), never a secret. A partner asking for a
    record of an agreement its organisation is not party to gets a 404, and the refusal is logged."""
    current_app.logger.warning("access refused: %s (%s) to %s: %s", user.email, user.role, request.path, reason)


officer_required = roles_required(Role.OFFICER)
admin_required = roles_required(Role.ADMIN)
signed_in_required = roles_required(Role.OFFICER, Role.PARTNER)
