"""The benchmark register: 2,000 organisations, 20,000 agreements, 100,000 flows, in the import format."""
import random
from datetime import date, timedelta

TYPES = ["local_authority", "police", "nhs_trust", "nhs_foundation_trust", "integrated_care_board", "probation",
         "youth_offending_team", "school", "charity", "private_provider", "other_public_body"]
STATUSES = ["active"] * 6 + ["under_review", "draft", "consultation", "awaiting_signatures", "expired", "terminated"]
CATEGORY_SETS = [["personal"], ["personal", "special_category"], ["personal", "criminal_offence"], ["personal", "special_category", "criminal_offence"]]
BASIS_SETS = [
    ["UKGDPR-A6-1E"],
    ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"],
    ["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10"],
    ["UKGDPR-A6-1C", "UKGDPR-A9-2H", "DPA2018-SCH1-2", "CA2004-S11"],
    ["DPA1998-SCH2-5B", "DPA1998-SCH3-7", "CDA1998-S115"],
]
PURPOSES = ["safeguarding children", "prevention and detection of crime", "direct care", "reducing reoffending",
            "domestic abuse risk assessment", "multi-agency public protection"]


def build(organisations=2000, agreements=20000, flows_per_agreement=5, seed=7, owner_email=None, today=None):
    rng = random.Random(seed)
    today = today or date.today()
    orgs = [
        {"slug": f"org-{n:04d}", "name": f"Organisation {n:04d}", "type": rng.choice(TYPES),
         "ico_registration": f"Z{n:07d}", "spoc_email": f"ig{n}@example.org", "dpo_email": f"dpo{n}@example.org"}
        for n in range(organisations)
    ]
    channels = [
        {"slug": "secure-email", "name": "Secure email", "special_category_approved": True},
        {"slug": "sftp", "name": "SFTP", "special_category_approved": True},
        {"slug": "phone", "name": "Phone", "special_category_approved": False},
    ]
    result = []
    for n in range(agreements):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2400))
        review = start + timedelta(days=rng.randrange(200, 1500))
        members = rng.sample(orgs, rng.randrange(2, 8))
        status = rng.choice(STATUSES)
        parties = [
            {"organisation": o["slug"], "role": "both", "signatory": "A Signatory, Director",
             "signed_on": (start - timedelta(days=3)).isoformat() if status not in ("draft", "consultation") else None}
            for o in members
        ]
        flows = []
        for _ in range(flows_per_agreement):
            source, target = rng.sample(members, 2)
            flows.append({
                "from": source["slug"], "to": target["slug"] if rng.random() < 0.85 else "*",
                "categories": rng.choice(CATEGORY_SETS), "items": "Case summaries and risk assessments",
                "purposes": rng.sample(PURPOSES, 2), "lawful_bases": rng.choice(BASIS_SETS),
                "channel": rng.choice(channels)["slug"], "frequency": "ad_hoc", "consent": "no_consent_lawful_basis",
            })
        agreement = {
            "reference": f"ISA-B-{n:05d}", "title": f"Benchmark agreement {n}", "purpose": "Benchmark sharing",
            "status": status, "start_date": start.isoformat(), "review_date": review.isoformat(), "end_date": None,
            "data_location": "uk", "lead_organisation": members[0]["slug"], "parties": parties, "flows": flows,
        }
        if owner_email:
            agreement["owner_email"] = owner_email
        result.append(agreement)
    return {"organisations": orgs, "channels": channels, "agreements": result}


def sixty_flow_agreement(reference="ISA-B-SIXTY"):
    """One agreement with 60 flows between 10 parties, for the PDF benchmark."""
    doc = build(organisations=10, agreements=1, flows_per_agreement=60, seed=60)
    agreement = doc["agreements"][0]
    agreement["reference"] = reference
    agreement["status"] = "active"
    agreement["parties"] = [
        {"organisation": o["slug"], "role": "both", "signatory": "A Signatory, Director", "signed_on": "2024-11-20"}
        for o in doc["organisations"]
    ]
    rng = random.Random(61)
    slugs = [o["slug"] for o in doc["organisations"]]
    for flow in agreement["flows"]:
        flow["from"], flow["to"] = rng.sample(slugs, 2)
    return doc
