-- add.lua that also writes the id of every acknowledged add to ACKS_PREFIX.<thread>, line by line,
-- so that what the app acknowledged before it was killed can be looked for after its restart.
-- wrk ... -s kill.lua URL -- MODE IDS_FILE TOKEN_FILE ACKS_PREFIX
dofile(os.getenv("BENCH_DIR") .. "/add.lua")

local add_init, acks = init, nil
function init(args)
  add_init(args)
  acks = io.open(args[4] .. "." .. tid, "w")
  acks:setvbuf("line")
end

response = function(status, headers, body)
  local id = status == 200 and body:match('"otpEmailId":"(%d+)"')
  if id then acks:write(id, "\n") end
end
