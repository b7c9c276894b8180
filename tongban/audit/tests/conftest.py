from testsupport.audit import audit_transactional_db  # noqa: F401  (fixture)
