-- wrk script of bench/run.sh: sends pre-signed requests and counts the errcode of every reply.
--
--   wrk -t2 -c64 -d10s -s bench/load.lua http://127.0.0.1:PORT -- FILE TOKEN
--
-- FILE.N is thread N's share of the requests (bench/gen.py writes them), one per line,
-- "op<TAB>body" with op h (GET /admin/health), g, p or c (POST to the sandbox getbalance, pay or
-- cancelpay, ?access_token=TOKEN), or "op<TAB>query<TAB>body" with op G or P (POST to /wxa/game/getbalance
-- or /wxa/game/pay, ?query: virtual payment 2.0 signs each body in the query, so gen.py writes it whole).
-- Each thread sends its lines in order, one line per request, so no
-- line is sent twice while the file lasts; a thread that runs out starts again from its first line
-- and counts a wrap (run.sh reports it, since repeated fresh pays would no longer be fresh).
--
-- done() prints one line for run.sh:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N connect=N read=N write=N timeout=N status=N wraps=N codes=CODE:N,...
-- codes counts the errcode of each HTTP 200 reply ("none" when the body has no errcode, as for
-- health); pay_ok counts the replies of successful pays (errcode 0 with used_gen_amt, or with
-- used_present_amount for 2.0), and game_pay_ok the 2.0 ones among them, for the ledger check. wrk's own counters give the socket errors and the non-2xx replies (status).

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  local file, token = args[1], args[2]
  if not file or not token then
    error("usage: wrk ... -s load.lua URL -- FILE TOKEN")
  end
  local host = "Host: " .. wrk.host .. ":" .. wrk.port .. "\r\n"
  local function post(op)
    return "POST /cgi-bin/midas/sandbox/" .. op .. "?access_token=" .. token .. " HTTP/1.1\r\n" .. host ..
      "Content-Type: application/json\r\nContent-Length: "
  end
  heads = { g = post("getbalance"), p = post("pay"), c = post("cancelpay") }
  local game = { G = "POST /wxa/game/getbalance?", P = "POST /wxa/game/pay?" }
  local game_tail = " HTTP/1.1\r\n" .. host .. "Content-Type: application/json\r\nContent-Length: "
  health = "GET /admin/health HTTP/1.1\r\n" .. host .. "\r\n"
  ops, bodies, starts = {}, {}, {}
  for line in io.lines(file .. "." .. id) do
    local op, body = string.match(line, "^(%a)\t(.*)$")
    local start
    if op and game[op] then -- 2.0: the request line carries this body's own signatures
      local query
      query, body = string.match(body, "^([^\t]+)\t(.*)$")
      if query then
        start = game[op] .. query .. game_tail
      end
    elseif op then
      start = heads[op]
    end
    if not op or (op ~= "h" and not start) then
      error("bad line in " .. file .. "." .. id .. ": " .. line)
    end
    ops[#ops + 1], bodies[#bodies + 1], starts[#starts + 1] = op, body, start or ""
  end
  if #ops == 0 then
    error(file .. "." .. id .. " is empty")
  end
  n, i, wraps, counts = #ops, 0, 0, {}
end

function request()
  i = i + 1
  if i > n then
    i, wraps = 1, wraps + 1
  end
  local op = ops[i]
  if op == "h" then
    return health
  end
  local body = bodies[i]
  return starts[i] .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
  if status ~= 200 then
    return -- wrk counts it (status) when >= 400
  end
  local code = "none"
  local _, e = string.find(body, '"errcode":', 1, true)
  if e then
    code = string.match(body, "^%-?%d+", e + 1) or "?"
    if code == "0" then
      if string.find(body, '"used_gen_amt"', 1, true) then
        counts.pay_ok = (counts.pay_ok or 0) + 1
      elseif string.find(body, '"used_present_amount"', 1, true) then
        counts.pay_ok = (counts.pay_ok or 0) + 1
        counts.game_pay_ok = (counts.game_pay_ok or 0) + 1
      end
    end
  end
  counts[code] = (counts[code] or 0) + 1
end

function done(summary, latency, requests)
  local codes, wrapped = {}, 0
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("counts")) do
      codes[code] = (codes[code] or 0) + count
    end
    wrapped = wrapped + t:get("wraps")
  end
  local parts = {}
  for code, count in pairs(codes) do
    parts[#parts + 1] = code .. ":" .. count
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d timeout=%d status=%d wraps=%d codes=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status, wrapped, table.concat(parts, ",")))
end
