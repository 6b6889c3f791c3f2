# The token server: OAuth logic (oauth/), keys, routes — a library the tests link — and the
# auth-service executable.
add_library(auth_oauth STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/errors.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/request_params.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/scopes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/client_authentication.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/client_cache.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/user_cache.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/consent_cache.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/playground_client_cache.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/grant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/token_issuer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/client_credentials_grant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/password_login.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/password_grant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/refresh_token_grant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/authorization_code_grant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/authorize/authorize_request.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/token_endpoint.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/bearer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/revocation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/introspection.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/personal_access_tokens.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/first_party_clients.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/oauth/authorized_clients.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/keys/key_manager.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/metadata.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/auth_routes.cpp
)
target_link_libraries(auth_oauth PUBLIC auth_core oauth_http oauth_jwt oauth_revocation)

# The assembled service (stores from storage.cmake) and its executable.
add_library(auth_app STATIC ${CMAKE_CURRENT_SOURCE_DIR}/routes/auth_app.cpp)
target_link_libraries(auth_app PUBLIC auth_oauth auth_storage oauth_pg oauth_redis oauth_revocation_record)

add_executable(auth-service ${CMAKE_CURRENT_SOURCE_DIR}/main.cpp)
target_link_libraries(auth-service PRIVATE auth_app)
oauth_service_allocator(auth-service)
