-- wrk script for bench/web.py: each request casts one voter's ballot, each voter once.
--
--   wrk -t1 -c32 -d600s --timeout 120s -s bench/cast.lua URL -- VOTERS_FILE THREADS
--
-- VOTERS_FILE has one voter a line: "<token> <JSON body>". Thread n of THREADS takes every
-- THREADS-th line; its requests are formatted before the run starts. A thread stops once it
-- has an answer for each of its voters. done() prints one JSON line: duration (first request
-- to last answer), answers by status, latency percentiles (wrk's: from the request written to
-- the answer read).

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } pbp_timespec;
   int clock_gettime(int clock, pbp_timespec *now);
]]
local clock = ffi.new("pbp_timespec")

local function now()  -- CLOCK_MONOTONIC seconds, the same clock in every thread
   ffi.C.clock_gettime(1, clock)
   return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) * 1e-9
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("number", #threads)
end

function init(args)
   local file, count = args[1], tonumber(args[2])
   requests, taken, sent, answered, statuses = {}, 0, 0, 0, {}
   local line_number = 0
   for line in io.lines(file) do
      line_number = line_number + 1
      if (line_number - 1) % count == number - 1 then
         local token, body = line:match("^(%S+) (.*)$")
         local headers = {
            ["Authorization"] = "Bearer " .. token,
            ["Content-Type"] = "application/json",
         }
         table.insert(requests, wrk.format("POST", wrk.path, headers, body))
      end
   end
   -- wrk calls request() once more on the first thread before the run, to check the request
   -- it returns (script_verify_request): that call must not use up a voter.
   checking = number == 1
   if #requests == 0 then
      wrk.thread:stop()
   end
end

-- A connection opened when every voter of its thread is taken (wrk reconnects after each
-- answer of a server that closes, as gunicorn's sync workers do) waits here, sending
-- nothing, until the thread stops: it is accepted only after every cast's connection, which
-- were all open before, so no sync worker waits on it while a cast waits for a worker.
function delay()
   if taken >= #requests then
      return 3600000
   end
   taken = taken + 1
   return 0
end

function request()
   if checking then
      checking = false
      return requests[1]
   end
   if sent == 0 then
      first_at = now()
   end
   sent = sent + 1
   return requests[sent]
end

function response(status, headers, body)
   statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
   answered = answered + 1
   if answered >= #requests then
      last_at = now()
      -- wrk itself runs until -d is over: bench/web.py reads this line of every thread and
      -- then interrupts it (SIGINT), which ends the run and calls done()
      io.stderr:write("thread done\n")
      io.stderr:flush()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local counts, parts, first, last = {}, {}, nil, nil
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
      end
      local began, ended = thread:get("first_at"), thread:get("last_at") or now()
      if began and (first == nil or began < first) then first = began end
      if last == nil or ended > last then last = ended end
   end
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', status, n))
   end
   io.write(string.format(
      '{"duration_us": %d, "statuses": {%s}, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
      ((last or 0) - (first or 0)) * 1e6, table.concat(parts, ", "),
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout
   ))
end
