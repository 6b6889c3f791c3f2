-- wrk: the authorization code exchange (grant_type=authorization_code, a public client with
-- PKCE S256): each request presents a code never used before (read from CODES_DIR/codes-<thread>,
-- written by authorize.lua), so every 200 is a real exchange (one atomic consume in Redis, the
-- verifier's SHA-256, one signature). When a thread runs out of codes its requests present a
-- used one and count as non-2xx.
-- The requests are built whole in init(), so that request() costs what token.lua's fixed
-- request costs: wrk shares the two cores with the server, and building a 500-byte request per
-- call in Lua would take CPU from the side being measured.
-- env: CODES_DIR, CLIENT_ID, REDIRECT_URI (encoded), VERIFIER
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local tail_form = "&client_id=" .. os.getenv("CLIENT_ID") .. "&redirect_uri=" .. os.getenv("REDIRECT_URI") ..
                    "&code_verifier=" .. os.getenv("VERIFIER")
  local start = "POST /oauth/token HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
                "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
  requests = {}
  for code in io.lines(os.getenv("CODES_DIR") .. "/codes-" .. id) do
    local form = "grant_type=authorization_code&code=" .. code .. tail_form
    requests[#requests + 1] = start .. #form .. "\r\n\r\n" .. form
  end
  if #requests == 0 then requests[1] = "GET /nothing HTTP/1.1\r\nHost: " .. wrk.host .. "\r\n\r\n" end
  head = 0
end

function request()
  head = head + 1
  return requests[head] or requests[#requests]
end
