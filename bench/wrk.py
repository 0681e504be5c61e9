"""Drive a USSD endpoint with wrk: one journey per connection, every hop after the last answer.

wrk runs one thread per connection (`-t N -c N`), so a thread's Lua state is its connection's:
it walks a journey hop by hop (the cumulative `text` Africa's Talking sends), starts the next
journey with a new sessionId and phone when one ends, and counts how journeys ended. Every run
in a process numbers its journeys apart from the others', so a run never meets a session or
a caller's open bookings left by an earlier one.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile

SCRIPT = """
local texts = {%(texts)s}
local threads, next_id = {}, 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  hop, journey, booked, other = 1, %(first)d, 0, 0
end
local function escape(s)
  return (s:gsub("[^%%w]", function(c) return string.format("%%%%%%02X", string.byte(c)) end))
end
function request()
  local n = tid * 100000 + journey
  local body = "sessionId=wrk-" .. tid .. "-" .. journey .. "&serviceCode=%%2A120%%2A5372%%23"
    .. "&phoneNumber=%%2B2782" .. string.format("%%07d", n) .. "&networkCode=62120&text="
    .. escape(texts[hop])
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  if hop == #texts then
    if string.sub(body, 1, 11) == "END Booked!" then booked = booked + 1 else other = other + 1 end
    hop, journey = 1, journey + 1
  else
    hop = hop + 1
  end
end
function done(summary, latency, requests)
  local b, o = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("booked"); o = o + t:get("other") end
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %%d, "us": %%d, "p50": %%d, "p99": %%d, '
      .. '"booked": %%d, "other": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), b, o,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def cumulative(inputs: list[str]) -> list[str]:
    """The `text` of each hop: "" on dialling, then every input so far joined by `*`."""
    return ["*".join(inputs[1 : hop + 1]) for hop in range(len(inputs))]


_RUNS = itertools.count()  # each run's journeys get session ids and numbers of their own


def run_wrk(url: str, inputs: list[str], connections: int, seconds: int) -> dict:
    """Hops/s and latency over `seconds`, in the shape `bench/ussd.py` prints."""
    texts = ", ".join(json.dumps(text) for text in cumulative(inputs))
    first = next(_RUNS) * 5_000  # a thread's journeys are tid * 100,000 + first + n
    assert first < 100_000, "too many wrk runs in one process"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT % {"texts": texts, "first": first})
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "30s", "-s", script.name, url]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    return {
        "hops": result["requests"],
        "seconds": result["us"] / 1e6,
        "hops_per_s": result["requests"] / (result["us"] / 1e6),
        "p50": result["p50"] / 1000,
        "p99": result["p99"] / 1000,
        "outcomes": {"booked": result["booked"], "other": result["other"]},
        "errors": result["errors"],
    }
