"""Applicant emails and account activation (R14 to R19)."""
