oauth_test(jwt_unit_tests LABEL unit
  SOURCES unit/jwt_vectors_test.cpp unit/jwt_key_test.cpp unit/jwt_verify_test.cpp unit/jwt_key_store_test.cpp
  LIBS oauth_jwt)
