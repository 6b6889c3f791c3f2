# End to end with the real binaries as processes (no npm package: plain node, through
# scripts/node.sh like the browser test).
add_test(NAME "e2e/secrets: no password, secret, token or database password in any log line at debug"
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/node.sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/secrets_not_logged.test.mjs
          --bin $<TARGET_FILE_DIR:auth-service>)
set_tests_properties("e2e/secrets: no password, secret, token or database password in any log line at debug" PROPERTIES
  LABELS e2e RESOURCE_LOCK servers TIMEOUT 180)
