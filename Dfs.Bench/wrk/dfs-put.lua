-- wrk -t2 -c16 -d20s -s dfs-put.lua http://127.0.0.1:7101   (send to the leader's API port)
package.path = (debug.getinfo(1, "S").source:match("@(.*/)") or "./") .. "?.lua;" .. package.path
require("common")

request = function()
  return wrk.format("PUT", "/kv/" .. next_key(), { ["Content-Type"] = "application/octet-stream" }, value)
end
