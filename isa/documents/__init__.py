"""The Information Sharing Protocol: the PDF rendered from the register, and sign-off on a pinned version."""
