-- POST /v3alpha/users/_search with a 3-letter fragment, first page of 10, as the user picker asks.
-- wrk ... -s search.lua URL -- TOKEN_FILE
local token
local syllables = { "an", "ber", "cha", "dor", "el", "fin", "ga", "hel", "is", "jo", "ka", "lor", "mi",
  "nu", "ol", "pe", "qui", "ra", "sol", "ta", "ul", "vin", "wen", "xa", "yo", "zed" }

function init(args)
  token = io.open(args[1]):read("*l")
  math.randomseed(os.time())
end

request = function()
  local text = syllables[math.random(#syllables)] .. syllables[math.random(#syllables)]
  local start = math.random(math.max(1, #text - 2))
  return wrk.format("POST", "/v3alpha/users/_search",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"query":"' .. text:sub(start, start + 2) .. '","limit":10}')
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
