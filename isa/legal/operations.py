"""Changing the catalogue: an administrator's local wording of a shipped entry, and going back."""


def reword(basis, title, summary):
    """Give a shipped entry a local title and summary (`legal sync` keeps them), or, for a local
    entry, simply change them. Wording identical to the shipped one is the shipped wording."""
    if basis.local:
        basis.title, basis.summary = title, summary
        return
    if basis.shipped_title is None:  # not synced since the wording columns arrived: the text is the shipped one
        basis.shipped_title, basis.shipped_summary = basis.title, basis.summary
    if (title, summary) == (basis.shipped_title, basis.shipped_summary):
        restore_shipped_wording(basis)
        return
    basis.title, basis.summary = title, summary
    # Written against the shipped wording as it is now: a later change to it is then pointed out.
    basis.reworded_from_title, basis.reworded_from_summary = basis.shipped_title, basis.shipped_summary


def restore_shipped_wording(basis):
    """Discard a local wording: the entry shows the shipped title and summary again."""
    if basis.shipped_title is not None:
        basis.title, basis.summary = basis.shipped_title, basis.shipped_summary
    basis.reworded_from_title = basis.reworded_from_summary = None

