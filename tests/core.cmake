oauth_test(core_unit_tests LABEL unit
  SOURCES unit/config_test.cpp unit/encoding_test.cpp unit/digest_test.cpp unit/metrics_test.cpp unit/log_test.cpp
  LIBS oauth_core)
