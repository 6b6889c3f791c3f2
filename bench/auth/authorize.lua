-- wrk: GET /oauth/authorize with a signed-in session and remembered consent: every answer is
-- a 302 to the redirect URI with a fresh code (session lookup in Redis, the client, user and
-- consent from their caches, the code sealed and its single-use state stored in Redis).
-- Each thread writes the codes it receives to CODES_DIR/codes-<thread> (for code.lua).
-- env: TARGET (path and query), COOKIE (oauth_session=...), CODES_DIR (optional)
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  wrong = 0
  local dir = os.getenv("CODES_DIR")
  if dir and dir ~= "" then
    out = io.open(dir .. "/codes-" .. id, "w")
    out:setvbuf("line")
  end
  req = "GET " .. os.getenv("TARGET") .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
        "\r\nCookie: " .. os.getenv("COOKIE") .. "\r\n\r\n"
end

function request() return req end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local code = location:match("[?&]code=([^&]+)")
  if status ~= 302 or not code then
    wrong = wrong + 1
  elseif out then
    out:write(code, "\n")
  end
end
