# End to end with the real binaries as processes, on node through scripts/node.sh like the
# browser test. The secrets test is plain node (no npm package).
add_test(NAME "e2e/secrets: no password, secret, token or database password in any log line at debug"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/node.sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/secrets_not_logged.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service>)
set_tests_properties("e2e/secrets: no password, secret, token or database password in any log line at debug" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)

# A third-party client library, oauth4webapi (tests/client, pinned by its package-lock.json and
# installed by `WITH_BROWSER=1 scripts/deps.sh`), drives discovery, PKCE, the login and consent
# (played with plain fetch), the code exchange, the posts API, the refresh, a replayed code and a
# denied consent against the real binaries, on Debian 12's node 18 through scripts/node.sh.
add_test(NAME "e2e/oauth4webapi: a client library's authorization code flow with PKCE, refresh, replay and deny"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/node.sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/oauth4webapi.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service>)
set_tests_properties("e2e/oauth4webapi: a client library's authorization code flow with PKCE, refresh, replay and deny" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)
