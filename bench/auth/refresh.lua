-- wrk: refresh-token ROTATION with a fresh, live token on every request.
-- Each wrk thread starts with PER_THREAD distinct refresh tokens (one family each) from
-- TOKENS_FILE and keeps them in a queue: request() takes the oldest, response() queues the
-- NEW refresh token from the answer. A connection has one request in flight at a time, so as
-- long as PER_THREAD exceeds the connections per thread the queue never runs dry, and no
-- token is ever presented twice (no grace replay, no reuse): every 200 is a real rotation
-- (Lua script in Redis + a signed access token).
-- env: AUTH, TOKENS_FILE, PER_THREAD
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local per = tonumber(os.getenv("PER_THREAD") or "64")
  pool = {}
  local i = 0
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if i >= id * per and i < (id + 1) * per then pool[#pool + 1] = line end
    i = i + 1
  end
  head, tail = 1, #pool
  lost = 0
  -- The request is the same but for the token, whose length is fixed (43 base64url
  -- characters): build everything else once, so that wrk's own cost per request stays small
  -- (it shares the two cores with the server).
  local form = "grant_type=refresh_token&refresh_token="
  prefix = "POST /oauth/token HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
           "\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: " .. os.getenv("AUTH") ..
           "\r\nContent-Length: " .. (#form + #pool[1]) .. "\r\n\r\n" .. form
end

function request()
  local t = "exhausted-exhausted-exhausted-exhausted-exh"  -- 43 characters, refused: counted as non-2xx
  if head <= tail then
    t = pool[head]
    pool[head] = nil
    head = head + 1
  end
  return prefix .. t
end

local marker = '"refresh_token":"'
function response(status, headers, body)
  local i = body:find(marker, 1, true)
  if i then
    tail = tail + 1
    pool[tail] = body:sub(i + #marker, i + #marker + 42)
  else
    lost = lost + 1
  end
end
