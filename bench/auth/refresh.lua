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
  auth = os.getenv("AUTH")
  lost = 0
end

function request()
  local t = "exhausted"
  if head <= tail then
    t = pool[head]
    pool[head] = nil
    head = head + 1
  end
  return wrk.format("POST", "/oauth/token",
    { ["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = auth },
    "grant_type=refresh_token&refresh_token=" .. t)
end

function response(status, headers, body)
  local t = body:match('"refresh_token":"([^"]+)"')
  if t then
    tail = tail + 1
    pool[tail] = t
  else
    lost = lost + 1
  end
end
