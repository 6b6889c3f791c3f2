# Storage of the auth service: the PostgreSQL schema (migrations/ compiled in), the
# PostgreSQL client and user stores, the Redis refresh-token, throttle, login-session and
# authorization-code stores, and the administrative operations authctl uses.
file(GLOB auth_migration_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/migrations/V*.sql)
list(SORT auth_migration_files)

add_library(auth_storage STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_support.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_client_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_user_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/client_admin.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/user_admin.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/purge.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/revocation_record.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/refresh_token_crypto.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/redis_refresh_token_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/redis_throttle_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/redis_session_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/redis_support.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/redis_authorization_code_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_personal_access_token_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_consent_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/storage/pg_playground_client_store.cpp
)
target_link_libraries(auth_storage PUBLIC auth_core oauth_pg oauth_redis oauth_revocation OpenSSL::Crypto)
oauth_embed_files(auth_storage NAMESPACE oauth::auth FUNCTION migrations FILES ${auth_migration_files})
