oauth_test(redis_unit_tests LABEL unit
  SOURCES unit/redis_reply_test.cpp unit/redis_errors_test.cpp unit/redis_backoff_test.cpp unit/redis_script_test.cpp
          unit/redis_info_test.cpp
  LIBS oauth_redis)

oauth_test(redis_integration_tests LABEL integration
  SOURCES integration/redis_client_test.cpp integration/redis_subscriber_test.cpp
  LIBS oauth_redis)
