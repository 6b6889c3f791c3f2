oauth_test(auth_core_unit_tests LABEL unit
  SOURCES unit/auth_credentials_test.cpp unit/auth_config_test.cpp
  LIBS auth_core)
