# Revocation (common/revocation), RFC 7009/7662 and personal access tokens: pure rules (unit),
# and the auth and resource services together against real PostgreSQL and Redis (integration).
oauth_test(revocation_unit_tests LABEL unit
  SOURCES unit/revocation_list_test.cpp unit/revocation_oauth_test.cpp
  LIBS oauth_revocation auth_oauth)
oauth_test(revocation_integration_tests LABEL integration
  SOURCES integration/revocation_test.cpp integration/pat_test.cpp integration/introspection_test.cpp
          integration/offboarding_test.cpp
  LIBS auth_app resource_app authctl_lib)
