"""Data protection impact assessments (UK GDPR Art 35), one per agreement, following the ICO's steps."""
