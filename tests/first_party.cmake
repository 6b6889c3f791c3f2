# The first-party proxy, its refresh cookie and the token playground (issue 5, items 4 and 5):
# pure rules (unit), the endpoints in-process against real PostgreSQL and Redis (integration),
# and a real browser clicking through the playground against both real services (e2e).
oauth_test(first_party_unit_tests LABEL unit
  SOURCES unit/first_party_security_test.cpp unit/playground_page_test.cpp
  LIBS auth_web)
oauth_test(first_party_integration_tests LABEL integration
  SOURCES integration/first_party_test.cpp
  LIBS auth_app)

# The playground in Debian's headless Chromium, driven by playwright-core (tests/browser,
# installed by `WITH_BROWSER=1 scripts/deps.sh`, which scripts/test.sh does), against this
# build's auth-service and resource-service on the test PostgreSQL and Redis. The screenshot
# lands in the build directory (build/playground.png for the default build). It runs on the
# node the README promises (Debian 12's nodejs 18, through scripts/node.sh), not on whatever
# newer node the machine has; a missing node fails the test, it never skips.
add_test(NAME "e2e/playground: headless Chromium logs in, lists, creates a post, refreshes"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/node.sh ${CMAKE_CURRENT_SOURCE_DIR}/browser/playground.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service> --screenshot ${CMAKE_BINARY_DIR}/playground.png)
set_tests_properties("e2e/playground: headless Chromium logs in, lists, creates a post, refreshes" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)

# The playground's "Authorization code + PKCE" panel in the same browser against the same
# binaries: sign in, consent (remembered the second time), the code back on
# /playground/callback, the exchange, the API, a refresh; and a denial. Its screenshot is
# build/authorize-flow.png.
add_test(NAME "e2e/playground: headless Chromium runs the authorization code flow with PKCE (approve, remembered, deny)"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/node.sh ${CMAKE_CURRENT_SOURCE_DIR}/browser/authorize_flow.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service> --screenshot ${CMAKE_BINARY_DIR}/authorize-flow.png)
set_tests_properties("e2e/playground: headless Chromium runs the authorization code flow with PKCE (approve, remembered, deny)" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)

# The browser flows (login sessions, /oauth/authorize, consent, the code grant, authorized
# applications) in-process against real PostgreSQL and Redis.
oauth_test(authorize_integration_tests LABEL integration
  SOURCES integration/authorize_test.cpp
  LIBS auth_app)
