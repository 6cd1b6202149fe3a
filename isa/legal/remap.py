"""Re-mapping an agreement's DPA 1998 bases to their successors, flow by flow (SPEC §3).

`propose(agreement, catalogue)` is pure: for each flow that cites a DPA 1998 condition it proposes
the flow's new lawful bases, chosen for the discloser and the flow by `law.fitting_successors`,
with notes where the officer must still choose. The agreement operation applies a proposal as
one material change; the command line and the agreement page show it first.
"""
from dataclasses import dataclass, field

from ..flows.models import ConsentApproach, DataCategory
from ..organisations.types import StatutoryRole, has_role
from .law import APD_RULE, fitting_successors
from .models import BasisKind, Regime
from .words import N_

PERSONAL = frozenset({DataCategory.PERSONAL, DataCategory.SPECIAL_CATEGORY, DataCategory.CRIMINAL_OFFENCE})


@dataclass
class FlowProposal:
    flow_id: int | None
    label: str
    current: list
    proposed: list
    replaced: dict = field(default_factory=dict)  # DPA 1998 code -> the successors proposed for it
    notes: list = field(default_factory=list)  # `Words`: English as text, the reader's language on a page

    @property
    def added(self):
        return [code for code in self.proposed if code not in self.current]

    @property
    def removed(self):
        return [code for code in self.current if code not in self.proposed]

    @property
    def changed(self):
        return self.proposed != self.current


@dataclass
class _Flow:
    """What `fitting_successors` reads of a flow."""

    catalogue: object
    categories: set
    discloser_is_public_authority: bool
    consent: object

    def consent_approach(self):
        return ConsentApproach(self.consent) if self.consent else None


def relies_on_dpa1998(flow, catalogue):
    return any(_regime(catalogue.get(code)) == Regime.DPA1998 for code in flow.lawful_bases or ())


def propose(agreement, catalogue):
    """[FlowProposal] for every flow that cites a DPA 1998 condition, in flow order."""
    from .findings import flow_label

    proposals = []
    for flow in agreement.flows:
        if not relies_on_dpa1998(flow, catalogue):
            continue
        discloser = flow.from_organisation
        facts = _Flow(
            catalogue, set(flow.categories or ()),
            discloser is not None and has_role(discloser.type, StatutoryRole.PUBLIC_AUTHORITY),
            getattr(flow, "consent", None),
        )
        current = list(flow.lawful_bases or ())
        proposed, replaced = [], {}
        for code in current:
            basis = catalogue.get(code)
            if _regime(basis) != Regime.DPA1998:
                if code not in proposed:
                    proposed.append(code)
                continue
            successors = fitting_successors(basis, facts)
            replaced[code] = successors
            proposed += [s for s in successors if s not in proposed]
        proposal = FlowProposal(getattr(flow, "id", None), flow_label(flow), current, proposed, replaced)
        _complete(proposal, facts, catalogue)
        proposals.append(proposal)
    return proposals


def _complete(proposal, flow, catalogue):
    """Fill what the successors leave out, or say what the officer must still choose."""
    kinds = {catalogue[code].kind for code in proposal.proposed if code in catalogue}
    conditions = [c for c in proposal.proposed if c in catalogue and catalogue[c].kind == BasisKind.SCH1 and c != APD_RULE]
    if flow.categories & PERSONAL and BasisKind.ART6 not in kinds and BasisKind.PART3 not in kinds:
        if flow.discloser_is_public_authority:
            proposal.proposed.append("UKGDPR-A6-1E")
            proposal.notes.append(N_("The flow cited no Schedule 2 condition: UKGDPR-A6-1E (public task) is proposed for the "
                                     "public authority."))
        else:
            proposal.notes.append(N_("The flow cites no Article 6 basis: choose one after re-mapping."))
    if DataCategory.SPECIAL_CATEGORY in flow.categories and BasisKind.ART9 not in kinds:
        proposal.notes.append(N_("Special category data needs an Article 9 condition: none could be proposed, so choose one."))
    if DataCategory.CRIMINAL_OFFENCE in flow.categories:
        if "UKGDPR-A10" not in proposal.proposed:
            proposal.proposed.append("UKGDPR-A10")
        if not conditions:
            if flow.discloser_is_public_authority:
                proposal.proposed.append("DPA2018-SCH1-6")
                proposal.notes.append(N_(
                    "Criminal offence data needs a Schedule 1 condition with Article 10: DPA2018-SCH1-6 (statutory and "
                    "government purposes) is proposed; choose another paragraph if it fits better."
                ))
            else:
                proposal.notes.append(N_("Criminal offence data needs a Schedule 1 condition with Article 10: choose the "
                                     "paragraph relied on."))


def _regime(basis):
    if basis is None:
        return None
    return getattr(basis.regime, "value", basis.regime)
