# The first-party proxy, its refresh cookie and the token playground (issue 5, items 4 and 5):
# pure rules (unit), the endpoints in-process against real PostgreSQL and Redis (integration),
# and a real browser clicking through the playground against both real services (e2e).
oauth_test(first_party_unit_tests LABEL unit
  SOURCES unit/first_party_security_test.cpp
  LIBS auth_web)
oauth_test(first_party_integration_tests LABEL integration
  SOURCES integration/first_party_test.cpp
  LIBS auth_app)

# The playground in Debian's headless Chromium, driven by playwright-core (tests/browser,
# installed by `WITH_BROWSER=1 scripts/deps.sh`, which scripts/test.sh does), against this
# build's auth-service and resource-service on the test PostgreSQL and Redis. The screenshot
# lands in the build directory (build/playground.png for the default build).
find_program(OAUTH_NODE node)
if(NOT OAUTH_NODE)
  set(OAUTH_NODE node)  # still registered: a missing node fails the test, it never skips
endif()
add_test(NAME "e2e/playground: headless Chromium logs in, lists, creates a post, refreshes"
  COMMAND ${OAUTH_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/browser/playground.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service> --screenshot ${CMAKE_BINARY_DIR}/playground.png)
set_tests_properties("e2e/playground: headless Chromium logs in, lists, creates a post, refreshes" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)
