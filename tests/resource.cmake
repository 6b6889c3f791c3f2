# resource-service: pure rules and the token verifier (unit), the service in-process against
# real PostgreSQL and Redis with a JWKS served by the test (integration).
oauth_test(resource_unit_tests LABEL unit
  SOURCES unit/resource_rules_test.cpp unit/resource_token_test.cpp unit/resource_coalescer_test.cpp
  LIBS resource_domain)
oauth_test(resource_integration_tests LABEL integration
  SOURCES integration/resource_service_test.cpp
  LIBS resource_app)
oauth_test(resource_http_client_tests LABEL integration
  SOURCES integration/resource_http_client_test.cpp
  LIBS oauth_http)
