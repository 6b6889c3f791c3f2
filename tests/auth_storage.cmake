# auth-service storage (PostgreSQL client/user stores, Redis refresh-token, throttle,
# login-session and authorization-code stores, admin operations) and authctl.
oauth_test(auth_storage_unit_tests LABEL unit
  SOURCES unit/auth_storage_crypto_test.cpp unit/auth_storage_authctl_args_test.cpp
  LIBS auth_storage authctl_lib)

oauth_test(auth_storage_integration_tests LABEL integration
  SOURCES integration/auth_storage_pg_test.cpp integration/auth_storage_refresh_test.cpp
          integration/auth_storage_throttle_test.cpp integration/auth_storage_browser_test.cpp
  LIBS auth_storage)

# Runs the real authctl binary against the test database.
oauth_test(authctl_integration_tests LABEL integration
  SOURCES integration/authctl_test.cpp
  LIBS auth_storage)
target_compile_definitions(authctl_integration_tests PRIVATE AUTHCTL_PATH="$<TARGET_FILE:authctl>"
                                                               AUTH_SERVICE_PATH="$<TARGET_FILE:auth-service>")
add_dependencies(authctl_integration_tests authctl auth-service)
