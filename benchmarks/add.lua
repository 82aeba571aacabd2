-- POST /v3alpha/users/{id}/otp_email for random users, each with a new address.
-- wrk ... -s add.lua URL -- MODE IDS_FILE TOKEN_FILE   (MODE: return | send)
local ids, token, mode = {}, nil, "return"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  for line in io.lines(args[2]) do ids[#ids + 1] = line end
  token = io.open(args[3]):read("*l")
  math.randomseed(os.time() + tid * 7919)
end

local counter = 0
request = function()
  counter = counter + 1
  local address = "b" .. tid .. "x" .. counter .. "x" .. math.random(1000000000) .. "@example.com"
  local verification = mode == "send" and '"sendCode":{}' or '"returnCode":{}'
  return wrk.format("POST", "/v3alpha/users/" .. ids[math.random(#ids)] .. "/otp_email",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"email":{"address":"' .. address .. '",' .. verification .. '}}')
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
