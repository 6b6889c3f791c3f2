# The first-party proxy, its refresh cookie and the token playground (issue 5, items 4 and 5):
# pure rules (unit), the endpoints in-process against real PostgreSQL and Redis (integration),
# and a real browser clicking through the playground against both real services (e2e).
oauth_test(first_party_unit_tests LABEL unit
  SOURCES unit/first_party_security_test.cpp
  LIBS auth_web)
oauth_test(first_party_integration_tests LABEL integration
  SOURCES integration/first_party_test.cpp
  LIBS auth_app)
