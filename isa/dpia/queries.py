"""Reading DPIAs: one agreement's, and the states of many in one query."""
import sqlalchemy as sa

from ..extensions import db
from .models import Dpia, DpiaState
from .rules import state_of


def dpia_of(agreement):
    if agreement.id is None:
        return None
    return db.session.scalar(sa.select(Dpia).where(Dpia.agreement_id == agreement.id))


def states_by_agreement(agreement_ids):
    """{agreement id: DpiaState} for these agreements, in one query (NONE where no DPIA is recorded)."""
    ids = [i for i in agreement_ids if i is not None]
    states = dict.fromkeys(ids, DpiaState.NONE)
    if ids:
        rows = db.session.execute(sa.select(Dpia.agreement_id, Dpia.required, Dpia.signed_off_on).where(Dpia.agreement_id.in_(ids)))
        for agreement_id, required, signed_off_on in rows:
            states[agreement_id] = state_of(required, signed_off_on)
    return states


def with_dpia_states(agreements):
    """Set `dpia_state` on each agreement, for the findings engine; returns them."""
    states = states_by_agreement([a.id for a in agreements])
    for agreement in agreements:
        agreement.dpia_state = states.get(agreement.id, DpiaState.NONE)
    return agreements
