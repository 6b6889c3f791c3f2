oauth_test(auth_authorize_unit_tests LABEL unit
  SOURCES unit/auth_authorize_rules_test.cpp
  LIBS auth_core)
# GET /oauth/authorize's request rules (validate_authorize, with_query, error_redirect_uri,
# authorize_fields) and the browser flow's pages and CSP: pure, no stores.
oauth_test(auth_authorize_request_unit_tests LABEL unit
  SOURCES unit/auth_authorize_request_test.cpp
  LIBS auth_web)

# The remembered-consent cache (hand-moved clock, fake store).
oauth_test(auth_consent_cache_unit_tests LABEL unit
  SOURCES unit/auth_consent_cache_test.cpp
  LIBS auth_oauth)

# Sealed authorization codes: the format, the keys, tampering, rotation.
oauth_test(auth_code_seal_unit_tests LABEL unit
  SOURCES unit/auth_code_seal_test.cpp
  LIBS auth_core)
