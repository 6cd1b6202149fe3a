"""The sign-in rules: pure functions, no Flask and no database (their messages are in the page's
language inside a request, in English outside one)."""
import enum
import re

from flask_babel import gettext as _

from ..users.models import Role

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RECOVERY_CODES = 10


class SecondStep(enum.StrEnum):
    NONE = "none"  # signed in once the password (or the provider) is accepted
    CODE = "code"  # enrolled: enter a code from the authenticator app
    ENROL = "enrol"  # must enrol before the first sign-in completes (officers and admins)


def email_domain(email):
    return (email or "").strip().lower().rpartition("@")[2]


def parse_domains(text):
    """The e-mail domains an admin typed (comma, space or line separated), lower-cased, or ValueError."""
    domains = sorted({part.strip().lower().lstrip("@") for part in re.split(r"[\s,;]+", text or "") if part.strip()})
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        raise ValueError(_("Enter e-mail domains like example.org (not %(domains)s)", domains=", ".join(bad)))
    if not domains:
        raise ValueError(_("Enter at least one e-mail domain, like example.org"))
    return domains


def provider_for(email, providers):
    """The enabled provider that covers this e-mail's domain exactly, or None."""
    domain = email_domain(email)
    for provider in providers:
        if provider.enabled and domain in (provider.email_domains or []):
            return provider
    return None


def second_step(role, enrolled, through_provider):
    """What a sign-in still needs once the password or the identity provider has been accepted.

    The organisation's own provider answers for its second factor, so those sign-ins are not asked
    again. Officers and admins must have a second factor; partners may choose one.
    """
    if through_provider:
        return SecondStep.NONE
    if enrolled:
        return SecondStep.CODE
    return SecondStep.ENROL if Role(role) in (Role.OFFICER, Role.ADMIN) else SecondStep.NONE


def accepted_step(candidates, code, last_step):
    """The time step whose code matches, newer than the last one accepted, or None (a replay or a wrong code).

    `candidates` maps each time step near now to its code (the one before and after allow for clock drift)."""
    import hmac

    code = re.sub(r"\s", "", code or "")
    for step, expected in sorted(candidates.items()):
        if hmac.compare_digest(expected, code) and step > (last_step or 0):
            return step
    return None


def normalise_recovery_code(code):
    return re.sub(r"[\s-]", "", code or "").lower()
