"""Tongban (通办): shared government services for neighbouring jurisdictions."""
