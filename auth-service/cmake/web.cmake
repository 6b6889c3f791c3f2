# The browser-facing part of the auth service: the first-party password proxy with its
# HttpOnly refresh cookie, the token playground compiled into the binary, and the pages of
# the browser flows (login sessions, the authorization endpoint and its consent page).
# Included after server.cmake (files are included in name order): it adds itself to auth_app.
if(NOT TARGET auth_app)
  message(FATAL_ERROR "web.cmake must be included after server.cmake (auth_app)")
endif()

add_library(auth_web STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/first_party_security.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/first_party_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/web_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/pages/pages.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/session/browser_sessions.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/login_routes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/routes/authorize_routes.cpp
)
target_link_libraries(auth_web PUBLIC auth_oauth)
oauth_embed_files(auth_web NAMESPACE oauth::auth::web FUNCTION playground_files FILES
  ${CMAKE_CURRENT_SOURCE_DIR}/web/playground.html
  ${CMAKE_CURRENT_SOURCE_DIR}/web/playground.js
  ${CMAKE_CURRENT_SOURCE_DIR}/web/playground.css
  ${CMAKE_CURRENT_SOURCE_DIR}/web/favicon.svg
)
target_link_libraries(auth_app PUBLIC auth_web)
