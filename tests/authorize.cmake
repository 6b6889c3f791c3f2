oauth_test(auth_authorize_unit_tests LABEL unit
  SOURCES unit/auth_authorize_rules_test.cpp
  LIBS auth_core)
