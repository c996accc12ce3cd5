-- wrk script: POST /v1/tickets with an inline customer and a varying description.
--
--   wrk ... -s intake.lua http://127.0.0.1:PORT -- KEYS_FILE
--
-- KEYS_FILE has one API key per line, one key per tenant. Tenants are spread over the wrk
-- threads without overlap (thread t of T uses keys t, t+T, t+2T, ...) and each thread takes
-- its keys round-robin, so two in-flight requests of one tenant are rare when the file has
-- several times as many keys as connections; a file with one key puts every request on one
-- tenant (and on its ticket-number counter row). WRK_THREADS must equal wrk's -t.
package.path = (os.getenv("KEFU_BENCH_LUA") or ".") .. "/?.lua;" .. package.path
require "wrk_report"

local next_thread = 0
function setup(thread)
   thread:set("thread_index", next_thread)
   next_thread = next_thread + 1
end

local keys = {}
local counter = 0
local issues = {
   "cannot log in after the password reset",
   "the invoice for last month shows the wrong amount",
   "how do I export my order history?",
   "the app crashes when I open the settings page",
   "my parcel has not arrived yet, tracking shows no update",
   "I was charged twice for the same order",
}

function init(args)
   local all = {}
   for line in io.lines(args[1]) do
      if #line > 0 then all[#all + 1] = line end
   end
   local threads = tonumber(os.getenv("WRK_THREADS") or "1")
   local index = thread_index or 0
   for i = 1, #all do
      if (i - 1) % threads == index % threads then keys[#keys + 1] = all[i] end
   end
   if #keys == 0 then keys = all end
end

function request()
   counter = counter + 1
   local key = keys[(counter - 1) % #keys + 1]
   local tag = string.format("%d-%d", thread_index or 0, counter)
   local body = string.format(
      '{"customer": {"name": "Bench customer %s"}, "channel": "chat", "category": "inquiry", ' ..
      '"description": "Ticket %s: %s (order #%d)"}',
      tag, tag, issues[counter % #issues + 1], 100000 + counter)
   return wrk.format("POST", "/v1/tickets", {
      ["Authorization"] = "Bearer " .. key,
      ["Content-Type"] = "application/json",
   }, body)
end
