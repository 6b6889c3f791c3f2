oauth_test(pg_unit_tests LABEL unit
  SOURCES unit/pg_migration_plan_test.cpp unit/pg_params_test.cpp
  LIBS oauth_pg)

oauth_test(pg_integration_tests LABEL integration
  SOURCES integration/pg_client_test.cpp
  LIBS oauth_pg)
