-- wrk: password grants for PW users in turn (USERS_FILE: one e-mail address per line, all with
-- the password bench-password). One user name per request keeps each user's attempts in flight
-- under the per-user throttle (5 reserved at once), as real logins from many users are.
-- env: AUTH (the whole Authorization header value), USERS_FILE.
local users = {}
for line in io.lines(os.getenv("USERS_FILE")) do
  users[#users + 1] = line:gsub("@", "%%40")
end
local counter = 0
local thread_offset = 0

function setup(thread)
  thread:set("thread_offset", thread_offset)
  thread_offset = thread_offset + 1
end

function request()
  counter = counter + 1
  local name = users[((counter * 7 + thread_offset) % #users) + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("AUTH"),
  }, "grant_type=password&username=" .. name .. "&password=bench-password&scope=read-posts")
end
