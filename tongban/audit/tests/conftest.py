from tongban.audit.testing import audit_transactional_db  # noqa: F401  (fixture)
