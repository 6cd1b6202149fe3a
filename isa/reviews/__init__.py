"""Reviews of agreements: recording a completed review, the review history, and the dashboard."""
