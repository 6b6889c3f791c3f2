-- wrk: cycles through the tokens in $TOKENS_FILE (one per line), one token per request,
-- each wrk thread starting at a different offset, so no two consecutive requests share a token.
local tokens = {}
local index = 0

function init(args)
  local f = assert(io.open(assert(os.getenv("TOKENS_FILE"), "set TOKENS_FILE"), "r"))
  for line in f:lines() do
    if #line > 0 then tokens[#tokens + 1] = "Bearer " .. line end
  end
  f:close()
  assert(#tokens > 0, "no tokens")
  index = math.random(#tokens)
end

function request()
  index = index % #tokens + 1
  wrk.headers["Authorization"] = tokens[index]
  return wrk.format(nil)
end
