"""Signing in: organisations' own identity providers (OpenID Connect), the second factor (TOTP) and password resets."""
