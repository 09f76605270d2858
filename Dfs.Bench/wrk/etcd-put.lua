-- wrk -t2 -c16 -d20s -s etcd-put.lua http://127.0.0.1:23791   (send to etcd's leader)
package.path = (debug.getinfo(1, "S").source:match("@(.*/)") or "./") .. "?.lua;" .. package.path
require("common")

local encoded_value = base64(value)

request = function()
  local body = '{"key":"' .. base64(next_key()) .. '","value":"' .. encoded_value .. '"}'
  return wrk.format("POST", "/v3/kv/put", { ["Content-Type"] = "application/json" }, body)
end
