-- POST /v3alpha/users/{id}/otp_email for random users, each with a new address.
-- wrk ... -s add.lua URL -- MODE IDS_FILE TOKEN_FILE [LOADER]   (MODE: return | send; LOADER tells
-- apart two wrk processes started in the same second, which would otherwise send the same addresses)
local ids, token, mode, loader = {}, nil, "return", "b"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  for line in io.lines(args[2]) do ids[#ids + 1] = line end
  token = io.open(args[3]):read("*l")
  loader = args[4] or loader
  local salt = 0
  for i = 1, #loader do salt = (salt * 31 + loader:byte(i)) % 1000003 end
  math.randomseed(os.time() + tid * 7919 + salt)
end

local counter = 0
request = function()
  counter = counter + 1
  local address = loader .. tid .. "x" .. counter .. "x" .. math.random(1000000000) .. "@example.com"
  local verification = mode == "send" and '"sendCode":{}' or '"returnCode":{}'
  return wrk.format("POST", "/v3alpha/users/" .. ids[math.random(#ids)] .. "/otp_email",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"email":{"address":"' .. address .. '",' .. verification .. '}}')
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
