-- wrk: the authorization code exchange (grant_type=authorization_code, a public client with
-- PKCE S256): each request presents a code never used before (read from CODES_DIR/codes-<thread>,
-- written by authorize.lua), so every 200 is a real exchange (one atomic consume in Redis, the
-- verifier's SHA-256, one signature). When a thread runs out of codes its requests present a
-- used one and count as non-2xx.
-- env: CODES_DIR, CLIENT_ID, REDIRECT_URI (encoded), VERIFIER
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  codes = {}
  for line in io.lines(os.getenv("CODES_DIR") .. "/codes-" .. id) do codes[#codes + 1] = line end
  head = 1
  tail_form = "&client_id=" .. os.getenv("CLIENT_ID") .. "&redirect_uri=" .. os.getenv("REDIRECT_URI") ..
              "&code_verifier=" .. os.getenv("VERIFIER")
  start = "POST /oauth/token HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
          "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
end

function request()
  local code = codes[head] or codes[#codes] or "none"
  head = head + 1
  local form = "grant_type=authorization_code&code=" .. code .. tail_form
  return start .. #form .. "\r\n\r\n" .. form
end
