-- wrk script: GET a ticket queue page as one tenant's agent.
--
--   wrk ... -s list.lua 'http://127.0.0.1:PORT/v1/tickets?status=assigned&limit=50' -- API_KEY
package.path = (os.getenv("KEFU_BENCH_LUA") or ".") .. "/?.lua;" .. package.path
require "wrk_report"

function init(args)
   wrk.headers["Authorization"] = "Bearer " .. args[1]
end
