#pragma once
// Every route of the posts API with its scope rule, in one place (../shared/CONTRACT.md,
// "Resource service endpoints").
#include "common/http/router.hpp"
#include "common/revocation/live_list.hpp"
#include "resource-service/cors.hpp"
#include "resource-service/key_source.hpp"
#include "resource-service/posts_reader.hpp"
#include "resource-service/posts_store.hpp"

#include <memory>

namespace oauth::resource {

namespace asio = boost::asio;

struct api_parts {
  std::shared_ptr<key_source> keys;
  std::shared_ptr<posts_store> store;    // writes
  std::shared_ptr<posts_reader> reader;  // reads, coalesced
  std::shared_ptr<const cors_policy> cors;
  // Revoked jtis (common/revocation); nullptr: no revocation check.
  std::shared_ptr<const revocation::live_list> revoked;
};

void add_api_routes(http::router& r, const api_parts& parts);

// Adds the CORS response headers for the request's Origin to whatever `next` answers.
http::handler with_cors(std::shared_ptr<const cors_policy> cors, http::handler next);

} // namespace oauth::resource
