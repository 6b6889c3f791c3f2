oauth_test(http_unit_tests LABEL unit
  SOURCES unit/router_test.cpp unit/params_test.cpp
  LIBS oauth_http)
oauth_test(http_server_tests LABEL integration
  SOURCES integration/http_server_test.cpp
  LIBS oauth_http)
oauth_test(http_forwarded_tests LABEL unit
  SOURCES unit/forwarded_test.cpp
  LIBS oauth_http)
