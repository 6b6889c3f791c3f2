# authctl: the admin CLI (Passport's artisan commands). authctl_lib holds everything but
# main(), so that the unit tests can reach the argument parser and the input rules.
add_library(authctl_lib STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/authctl/args.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/authctl/validation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/authctl/commands.cpp
)
target_link_libraries(authctl_lib PUBLIC auth_storage auth_core oauth_jwt oauth_pg)

add_executable(authctl ${CMAKE_CURRENT_SOURCE_DIR}/authctl/main.cpp)
target_link_libraries(authctl PRIVATE authctl_lib)
