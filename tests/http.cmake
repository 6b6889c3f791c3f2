oauth_test(http_unit_tests LABEL unit
  SOURCES unit/router_test.cpp unit/params_test.cpp unit/bearer_test.cpp
  LIBS oauth_http)
oauth_test(http_server_tests LABEL integration
  SOURCES integration/http_server_test.cpp
  LIBS oauth_http)
oauth_test(http_forwarded_tests LABEL unit
  SOURCES unit/forwarded_test.cpp
  LIBS oauth_http)
# The stop signals of a real service binary (issue 11, item 7).
oauth_test(runtime_signal_tests LABEL integration
  SOURCES integration/stop_signal_test.cpp
  LIBS oauth_http)
target_compile_definitions(runtime_signal_tests PRIVATE RESOURCE_SERVICE_PATH="$<TARGET_FILE:resource-service>")
add_dependencies(runtime_signal_tests resource-service)
