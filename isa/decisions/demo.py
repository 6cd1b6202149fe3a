"""Demo sharing decisions: a few months of practitioners' records between the demo organisations.

Each goes through `review_decision`, the same checks as the form and the API, so the demo never
holds a record the product would refuse. Dates are relative to `today`.
"""
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..users.models import User
from .models import SharingDecision
from .operations import RECORD, record_decision, review_decision

HOW = ["how_much", "fact_opinion", "right_recipient", "secure"]
NO_CONSENT = {"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "refused"}

# (days ago, recorded by, discloser, recipient, case, category, purpose, answers, outcome, override, reasons, shared, bases, channel)
DECISIONS = [
    (6, "partner@example.org", "herts-police", "herts-cc", "HC-2025-04418", "special_category", "safeguarding children",
     dict(NO_CONSENT, lawful_reasons=["safeguarding"], how=HOW, inform="no"), "share", None,
     "Third call-out to the address in a month; the children were present. The mother refused consent, but the risk of "
     "significant harm outweighs it. Telling her could increase the risk to the children.",
     "Summary of three domestic abuse call-outs and the officers' observations of the children.",
     ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18", "CA2004-S11"], "secure-email"),
    (19, "partner@example.org", "herts-police", "herts-cc", "HC-2025-04102", "personal", "safeguarding children",
     {"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "yes", "how": HOW, "inform": "aware"},
     "share", None, "The family agreed to the referral to the Family Safeguarding team.",
     "The referral form and the contact details the family gave.", ["UKGDPR-A6-1E", "CA2004-S11"], "secure-email"),
    (33, "officer@example.org", "herts-cc", "cgl", "FS/22871", "special_category", "safeguarding children",
     dict(NO_CONSENT, lawful_reasons=["none"]), "do_not_share", None,
     "CGL asked for the full case file. The father's substance misuse is already known to CGL and the rest is not "
     "needed for their work: no lawful reason to share more without consent.", None, [], None),
    (47, "partner@example.org", "herts-police", "oakfield-primary", "HC-2025-03377", "personal", "safeguarding children",
     dict(NO_CONSENT, consent="not_sought", lawful_reasons=["public_interest", "safeguarding"], how=HOW, inform="no"),
     "share", None, "Operation Encompass notification after an incident overnight, so the school can support the child.",
     "That the child was present at a domestic abuse incident last night; no details of the incident.",
     ["UKGDPR-A6-1E", "CA2004-S11"], "secure-email"),
    (75, "officer@example.org", "enherts-nhs", "herts-cc", "EN-77120", "special_category", "safeguarding children",
     dict(NO_CONSENT, consent="partial", lawful_reasons=["none"], how=HOW, inform="yes"), "share",
     "Consent covered the GP only, so the flowchart suggested not sharing; the named nurse for safeguarding decided the "
     "risk to the unborn baby justified sharing under the safeguarding condition, after legal advice.",
     "The consultant and the named nurse judged the risk of significant harm to the unborn baby high.",
     "The pre-birth assessment summary.",
     ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"], "hertsfx"),
    (104, "officer@example.org", "herts-yjs", "herts-police", "YJ-2024-0912", "criminal_offence", "prevention and detection of related crime",
     {"legitimate_purpose": "no"}, "do_not_share", None,
     "The request was for a general list of young people on orders, with no specific purpose.", None, [], None),
]


def load_demo_decisions(today):
    """Record the demo decisions once (none when the register already has decisions); returns how many."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(SharingDecision)):
        return 0
    users = {user.email: user for user in db.session.scalars(sa.select(User))}
    made = 0
    for days, email, discloser, recipient, case, category, purpose, answers, outcome, override, reasons, shared, bases, channel in DECISIONS:
        user = users.get(email)
        if user is None:
            continue
        data = {
            "decided_on": today - timedelta(days=days), "discloser": discloser, "recipient": recipient,
            "case_reference": case, "category": category, "purpose": purpose, "answers": answers, "outcome": outcome,
            "override_reason": override, "reasons": reasons, "shared": shared, "lawful_bases": bases, "channel": channel,
            "agreement": None,
        }
        review = review_decision(data, user, RECORD, today=today)
        if review.problems:
            raise ValueError(f"demo decision {case}: {review.problems}")
        record_decision(review, user)
        made += 1
    db.session.commit()
    return made
