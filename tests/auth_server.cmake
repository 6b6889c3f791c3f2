oauth_test(auth_oauth_unit_tests LABEL unit
  SOURCES unit/auth_oauth_scopes_test.cpp unit/auth_oauth_errors_test.cpp unit/auth_oauth_client_auth_test.cpp
          unit/auth_oauth_grants_test.cpp unit/auth_oauth_tokens_test.cpp unit/auth_code_grant_test.cpp
  LIBS auth_oauth)
oauth_test(auth_token_integration_tests LABEL integration
  SOURCES integration/auth_token_test.cpp integration/auth_hostile_login_test.cpp
  LIBS auth_app)
