#!/usr/bin/env python3
"""The benchmark's side that talks to the emulator outside the load itself (bench/run.sh calls it).

  gen.py selftest                 the signers against WeChat's examples (docs/wechat-api.md §3.3, wechat-vp2-api.md §4)
  gen.py wait URL --t0-ns N ...   poll URL every 10 ms until it answers 200; print ms since N (epoch ns)
  gen.py prepare --base URL ...   users, sessions, balances, token and set-up pays over the real API,
                                  then the pre-signed request files that bench/load.lua sends
  gen.py check --state FILE ...   the ledger check after the load, over the admin API

Request files hold one request per line, "op<TAB>body" (op: h health, g getbalance, p pay,
c cancelpay, all 1.0 sandbox calls), or "op<TAB>query<TAB>body" for virtual payment 2.0 (op: G
/wxa/game/getbalance, P /wxa/game/pay; the query carries access_token, signature, sig_method and
pay_sig, which differ per body); FILE.N is wrk thread N's share, so no line is ever sent by two threads.
Standard library only.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

APPID = "wx1234567"  # the default app of seed-data/seed.json (README "The default app and keys")
SECRET = "midas-emulator-default-secret-0001"
OFFER_ID = "12345678"
SANDBOX_KEY = "sAnDb0xKeyMidasEmulatorDefault01"
SANDBOX = "/cgi-bin/midas/sandbox/"
GAME = "/wxa/game/"  # virtual payment 2.0 (docs/wechat-vp2-api.md): env in the body, no sandbox path
SEED_BALANCE = 1_000_000_000  # fresh pays take 1 coin each, so none fails for balance
MIX_BLOCK = "g" * 16 + "p" * 3 + "c"  # the mix: 80% getbalance, 15% fresh pay, 5% cancelpay
GAME_PAY = "gp"  # bill_no infix of the 2.0 pays: "<tag>-gp<n>"


# --- signing (docs/wechat-api.md §3) ---------------------------------------------------------------

def sign(fields, path, name, key):
    """sig (name "secret", the AppKey) or mp_sig (name "session_key"): the fields sorted by key as
    key=value joined with &, then &org_loc=PATH&method=POST&NAME=KEY; HMAC-SHA256 keyed with KEY,
    lowercase hex. Values are raw text, numbers in decimal (§3.1, §3.2, §3.5)."""
    msg = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    msg += f"&org_loc={path}&method=POST&{name}={key}"
    return hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()


_macs = {}


def _mac(key):
    """HMAC-SHA256 keyed with KEY, set up once per key and copied per message (the bench signs ~10^6 bodies)."""
    m = _macs.get(key)
    if m is None:
        m = _macs[key] = hmac.new(key.encode(), digestmod=hashlib.sha256)
    return m.copy()


def signed_body(op, openid, session_key, token, ts, extra=()):
    """The JSON body of a sandbox Midas call as a game backend sends it: the common fields, the
    op's own, sig with the sandbox AppKey and mp_sig with the player's session_key. Same result as
    sign() (selftest checks both), written out by hand because it runs a million times."""
    path = SANDBOX + op
    fields = {"openid": openid, "appid": APPID, "offer_id": OFFER_ID, "ts": ts, "zone_id": "1", "pf": "android"}
    fields.update(extra)
    keys = sorted(fields)
    canon = "&".join(f"{k}={fields[k]}" for k in keys)
    m = _mac(SANDBOX_KEY)
    m.update(f"{canon}&org_loc={path}&method=POST&secret={SANDBOX_KEY}".encode())
    sig = m.hexdigest()
    fields["access_token"], fields["sig"] = token, sig
    m = _mac(session_key)
    m.update(("&".join(f"{k}={fields[k]}" for k in sorted(fields)) + f"&org_loc={path}&method=POST&session_key={session_key}").encode())
    del fields["access_token"]
    fields["mp_sig"] = m.hexdigest()
    # Every value here is plain ASCII without quotes or backslashes, so no JSON escaping is needed.
    return "{" + ",".join(f'"{k}":{v}' if isinstance(v, int) else f'"{k}":"{v}"' for k, v in fields.items()) + "}"


def pay_sig(app_key, uri, body):
    """2.0 pay_sig (docs/wechat-vp2-api.md §4): HMAC-SHA256 keyed with the AppKey of the body's env, over
    uri + "&" + the body bytes exactly as sent; uri is the path without the query. Lowercase hex."""
    return hmac.new(app_key.encode(), uri.encode() + b"&" + body, hashlib.sha256).hexdigest()


def login_signature(session_key, body):
    """2.0 signature (§4): HMAC-SHA256 keyed with the session_key string as issued (not base64-decoded), over the body."""
    return hmac.new(session_key.encode(), body, hashlib.sha256).hexdigest()


def game_request(op, openid, session_key, token, ts, extra=()):
    """A sandbox (env 1) /wxa/game/OP call as a game backend sends it: (query, body). The body is compact JSON of
    the common fields and the op's own; the query holds access_token, signature (the player's session_key over
    the body), sig_method and pay_sig (the sandbox AppKey over uri&body). Same result as pay_sig() and
    login_signature() (selftest checks both), with the cached HMACs because it runs a million times."""
    fields = {"openid": openid, "offer_id": OFFER_ID, "ts": ts, "zone_id": "1", "env": 1}
    fields.update(extra)
    # Plain ASCII values without quotes or backslashes, so no JSON escaping is needed; these are the signed bytes.
    body = "{" + ",".join(f'"{k}":{v}' if isinstance(v, int) else f'"{k}":"{v}"' for k, v in fields.items()) + "}"
    raw = body.encode()
    m = _mac(SANDBOX_KEY)
    m.update(f"{GAME}{op}&".encode() + raw)
    ps = m.hexdigest()
    m = _mac(session_key)
    m.update(raw)
    return f"access_token={token}&signature={m.hexdigest()}&sig_method=hmac_sha256&pay_sig={ps}", body


def selftest():
    # docs/wechat-api.md §3.3: the doc's worked example, production path and key.
    fields = {"openid": "odkx20ENSNa2w5y3g_qOkOvBNM1g", "appid": "wx1234567", "offer_id": "12345678",
              "ts": 1507530737, "zone_id": "1", "pf": "android"}
    path = "/cgi-bin/midas/getbalance"
    sig = sign(fields, path, "secret", "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u")
    mp_sig = sign({**fields, "access_token": "ACCESSTOKEN", "sig": sig}, path, "session_key", "V7Q38/i2KXaqrQyl2Yx9Hg==")
    ok = (sig == "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b"
          and mp_sig == "ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76")
    body = json.loads(signed_body("pay", "odkx20ENSNa2w5y3g_qOkOvBNM1g", "V7Q38/i2KXaqrQyl2Yx9Hg==", "TOKEN", 1507530737,
                                  {"amt": 1, "bill_no": "B-1"}))
    f2 = {k: body[k] for k in body if k not in ("sig", "mp_sig")}
    sig2 = sign(f2, SANDBOX + "pay", "secret", SANDBOX_KEY)
    ok = ok and body["sig"] == sig2 and body["mp_sig"] == sign(
        {**f2, "access_token": "TOKEN", "sig": sig2}, SANDBOX + "pay", "session_key", "V7Q38/i2KXaqrQyl2Yx9Hg==")
    if not ok:
        sys.exit("gen.py: the signer does not reproduce docs/wechat-api.md §3.3")
    # docs/wechat-vp2-api.md §4: the official 2.0 vector (AppKey 12345, its session_key, its body with ", " separators).
    doc_body = '{"offer_id": "12345678", "openid": "oUrsfxxxxxxxxxx", "ts": 1668136271, "zone_id": "1", "env": 0}'.encode()
    if (pay_sig("12345", GAME + "getbalance", doc_body) != "11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd"
            or login_signature("9hAb/NEYUlkaMBEsmFgzig==", doc_body)
            != "42fe1d3341fb1c8bd6f5014ba735ab04eacc80a2deb3ab4669eab4700b5b6729"):
        sys.exit("gen.py: the 2.0 signer does not reproduce docs/wechat-vp2-api.md §4")
    # game_request() signs with the cached HMACs: same result as the plain functions, over the bytes it writes.
    query, body = game_request("pay", "odkx20ENSNa2w5y3g_qOkOvBNM1g", "V7Q38/i2KXaqrQyl2Yx9Hg==", "TOKEN", 1507530737,
                               {"amount": 1, "bill_no": "B-1"})
    q = dict(urllib.parse.parse_qsl(query))
    if (q != {"access_token": "TOKEN", "signature": login_signature("V7Q38/i2KXaqrQyl2Yx9Hg==", body.encode()),
              "sig_method": "hmac_sha256", "pay_sig": pay_sig(SANDBOX_KEY, GAME + "pay", body.encode())}
            or json.loads(body) != {"openid": "odkx20ENSNa2w5y3g_qOkOvBNM1g", "offer_id": OFFER_ID, "ts": 1507530737,
                                    "zone_id": "1", "env": 1, "amount": 1, "bill_no": "B-1"}):
        sys.exit("gen.py: game_request() does not sign what it writes")


# --- HTTP ------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection per thread to the emulator."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.local = threading.local()

    def call(self, method, path, body=None):
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
                conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                raw = resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"{method} {path} answered HTTP {resp.status}: {raw[:300]!r}")
                return json.loads(raw)
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise


def parallel(fn, items, workers=16):
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


# --- wait ------------------------------------------------------------------------------------

def wait(args):
    """Poll every 10 ms until URL answers 200 (GET, or POST with an empty JSON body)."""
    u = urllib.parse.urlsplit(args.url)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if args.pid and not os.path.exists(f"/proc/{args.pid}"):
            sys.exit(f"gen.py wait: process {args.pid} exited before {args.url} answered")
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=1)
            conn.request("POST" if args.post else "GET", u.path, body=b"{}" if args.post else None)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                print(round((time.time_ns() - args.t0_ns) / 1e6))
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.01)
    sys.exit(f"gen.py wait: {args.url} did not answer 200 within {args.timeout} s")


# --- prepare ---------------------------------------------------------------------------------

def write_shares(out, name, lines, threads):
    """Thread i (1-based, as wrk numbers them in load.lua) gets lines i-1, i-1+threads, ..."""
    files = [open(os.path.join(out, f"{name}.{i + 1}"), "w") for i in range(threads)]
    for n, line in enumerate(lines):
        files[n % threads].write(line + "\n")
    for f in files:
        f.close()


def prepare(args):
    selftest()
    c = Client(args.base)
    rnd = random.Random(args.tag)
    users = [(f"bench{i:04d}", base64.b64encode(rnd.randbytes(16)).decode()) for i in range(args.users)]

    # 1,000 logged-in players with big balances (admin API: POST /admin/sessions, PUT /admin/accounts).
    def setup_user(u):
        openid, key = u
        reply = c.call("POST", "/admin/sessions", {"appid": APPID, "openid": openid, "session_key": key})
        assert reply["session_key"] == key, reply
        acct = c.call("PUT", f"/admin/accounts/{openid}", {"balance": SEED_BALANCE, "gen_balance": 0})
        assert acct["balance"] == SEED_BALANCE, acct
    t = time.monotonic()
    parallel(setup_user, users)
    token = c.call("GET", f"/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}")["access_token"]
    ts = int(time.time())

    def body(op, n, extra=()):
        openid, key = users[n % len(users)]
        return signed_body(op, openid, key, token, ts, extra)

    def pay_line(bill_no, n):
        return "p\t" + body("pay", n, {"amt": 1, "bill_no": bill_no})

    def game_line(op, n, extra=()):  # "G|P<TAB>query<TAB>body": 2.0 signs each body in the query
        openid, key = users[n % len(users)]
        return "\t".join(("G" if op == "getbalance" else "P", *game_request(op, openid, key, token, ts, extra)))

    # Pays made now over the real API, one per bill_no: the replays send them again; the cancels of
    # the mix and the warm-up each undo one of them, so every cancel names a distinct applied pay.
    tag = args.tag
    n_warm = args.warm_lines
    n_cancel = -(-args.mix_lines // len(MIX_BLOCK)) if "mix" in args.cases else 0
    n_cancel_warm = -(-n_warm // len(MIX_BLOCK))
    n_replay = args.replays if "replay" in args.cases else 0
    setup_pays = ([(f"{tag}-r{n}", n) for n in range(n_replay)]
                  + [(f"{tag}-c{n}", n) for n in range(n_cancel)]
                  + [(f"{tag}-wc{n}", n) for n in range(n_cancel_warm)])

    def do_pay(item):
        bill_no, n = item
        reply = c.call("POST", f"{SANDBOX}pay?access_token={token}", body("pay", n, {"amt": 1, "bill_no": bill_no}))
        if reply.get("errcode") != 0:
            raise RuntimeError(f"set-up pay {bill_no} answered {reply}")
    parallel(do_pay, setup_pays, workers=32)
    setup_s = time.monotonic() - t

    # The request files.
    t = time.monotonic()
    gb = [f"g\t{body('getbalance', n)}" for n in range(len(users))]

    def mix_lines(count, prefix, cancel_prefix):
        rng = random.Random(f"{tag}-{prefix}")
        pays = cancels = 0
        for start in range(0, count, len(MIX_BLOCK)):
            block = list(MIX_BLOCK)
            rng.shuffle(block)
            for k, op in enumerate(block[: count - start]):
                n = start + k
                if op == "g":
                    yield gb[n % len(gb)]
                elif op == "p":
                    yield pay_line(f"{tag}-{prefix}{pays}", n)
                    pays += 1
                else:
                    yield "c\t" + body("cancelpay", cancels, {"bill_no": f"{tag}-{cancel_prefix}{cancels}"})
                    cancels += 1

    files = {"health": lambda: ["h\t"] * args.threads, "warm": lambda: mix_lines(n_warm, "wp", "wc")}
    if "getbalance" in args.cases:
        files["getbalance"] = lambda: gb
    if "pay" in args.cases:
        # --random-bills: UUID-like bill_nos (the hex of a hash, so the same run repeats), which land all over LiteDB's
        # bill_no index; numbered ones sit close together in it (docs/benchmarks.md §6).
        fresh_bill = ((lambda n: f"{tag}-{hashlib.sha256(f'{tag}-p{n}'.encode()).hexdigest()[:32]}") if args.random_bills
                      else (lambda n: f"{tag}-p{n}"))
        files["pay"] = lambda: (pay_line(fresh_bill(n), n) for n in range(args.fresh_lines))
    if "replay" in args.cases:
        files["replay"] = lambda: (pay_line(f"{tag}-r{n}", n) for n in range(n_replay))
    if "mix" in args.cases:
        files["mix"] = lambda: mix_lines(args.mix_lines, "mp", "c")
    # Virtual payment 2.0 on the same players and the same sandbox ledger (env 1), bill_nos "<tag>-gp<n>".
    if "game-getbalance" in args.cases:
        files["game-getbalance"] = lambda: (game_line("getbalance", n) for n in range(len(users)))
    if "game-pay" in args.cases:
        files["game-pay"] = lambda: (game_line("pay", n, {"amount": 1, "bill_no": f"{tag}-{GAME_PAY}{n}"})
                                     for n in range(args.fresh_lines))
    for name, lines in files.items():
        write_shares(args.out, name, lines(), args.threads)
    with open(os.path.join(args.out, "token"), "w") as f:
        f.write(token)
    with open(os.path.join(args.out, "state.json"), "w") as f:
        json.dump({"base": args.base, "seed_balance": SEED_BALANCE, "openids": [u[0] for u in users],
                   "setup_pays": len(setup_pays), "game_pay_prefix": f"{tag}-{GAME_PAY}"}, f)
    print(f"prepared {len(users)} users and {len(setup_pays)} set-up pays in {setup_s:.1f} s, "
          f"request files in {time.monotonic() - t:.1f} s", file=sys.stderr)


# --- check -----------------------------------------------------------------------------------

def check(args):
    """After the load: for every bench user, seed balance - final balance == the sum of its pays
    still applied (a cancelled pay was refunded in full) == all its pays - all its cancels; each
    cancel undid exactly one pay; no bill_no was charged twice; and every pay the clients saw
    answered 0 is in the ledger."""
    with open(args.state) as f:
        state = json.load(f)
    c = Client(state["base"])
    openids = set(state["openids"])

    def all_orders(kind):  # paged by after_id: each page reads only its own orders
        out, after = [], 0
        while True:
            page = c.call("GET", f"/admin/orders?env=sandbox&kind={kind}&limit=10000&after_id={after}")
            out += page
            if len(page) < 10000:
                return out
            after = page[-1]["id"]

    pays, cancels = all_orders("pay"), all_orders("cancel")
    accounts = dict(zip(sorted(openids), parallel(lambda o: c.call("GET", f"/admin/accounts/{o}"), sorted(openids))))

    violations = []
    applied = collections.Counter()
    charged = collections.Counter()
    refunded = collections.Counter()
    bills = collections.Counter()
    for o in pays:
        bills[o["bill_no"]] += 1
        charged[o["openid"]] += o["amt"]
        if o["status"] == "applied":
            applied[o["openid"]] += o["amt"]
        elif o["status"] != "cancelled":
            violations.append(f"pay {o['bill_no']} has status {o['status']}")
    cancelled_pays = {o["bill_no"]: o for o in pays if o["status"] == "cancelled"}
    cancel_bills = collections.Counter(o["bill_no"] for o in cancels)
    for o in cancels:
        refunded[o["openid"]] += o["amt"]
        p = cancelled_pays.get(o["bill_no"])
        if p is None or p["openid"] != o["openid"] or p["amt"] != o["amt"]:
            violations.append(f"cancel of {o['bill_no']} matches no cancelled pay of {o['openid']} for {o['amt']}")
    for b, n in cancel_bills.items():
        if n > 1:
            violations.append(f"bill_no {b} cancelled {n} times")
    if len(cancelled_pays) != len(cancels):
        violations.append(f"{len(cancelled_pays)} pays are cancelled but there are {len(cancels)} cancels")
    for b, n in bills.items():
        if n > 1:
            violations.append(f"bill_no {b} charged {n} times")
    for openid, acct in accounts.items():
        spent = state["seed_balance"] - acct["balance"]
        if spent != applied[openid] or spent != charged[openid] - refunded[openid]:
            violations.append(f"{openid}: balance fell by {spent}, applied pays sum to {applied[openid]}, "
                              f"pays - cancels to {charged[openid] - refunded[openid]}")
    others = {o["openid"] for o in pays} - openids
    if others:
        violations.append(f"pays for accounts outside the benchmark: {sorted(others)[:5]}")
    acked = state["setup_pays"] + args.acked_pays
    if len(pays) < acked:
        violations.append(f"{acked} pays were answered 0 but the ledger holds only {len(pays)}")
    # 2.0 pays are ordinary pays of the same ledger (counted above too); each one answered 0 must be there, once.
    prefix = state.get("game_pay_prefix")
    game_pays = [o for o in pays if prefix and o["bill_no"].startswith(prefix)]
    if len(game_pays) < args.acked_game_pays:
        violations.append(f"{args.acked_game_pays} 2.0 pays were answered 0 but the ledger holds only {len(game_pays)}")
    for o in game_pays:
        if o["amt"] != 1 or o["status"] != "applied":
            violations.append(f"2.0 pay {o['bill_no']}: amt {o['amt']}, status {o['status']} (expected 1, applied)")

    # The emulator's own audit as well (GET /admin/invariants): the whole ledger replayed, timed.
    started = time.monotonic()
    audit = c.call("GET", "/admin/invariants")
    audit_s = time.monotonic() - started
    if not audit["ok"]:
        violations += [f"/admin/invariants: {v['check']}: {v['detail']}" for v in audit["violations"]]
    print(f"/admin/invariants: ok={str(audit['ok']).lower()} over {audit['orders']} orders and {audit['accounts']} accounts "
          f"in {audit_s:.2f} s")

    if violations:
        print(f"ledger check: {len(violations)} VIOLATIONS ({len(pays) + len(cancels)} orders, {len(accounts)} accounts)")
        for v in violations[:50]:
            print("  " + v)
        sys.exit(1)
    print(f"ledger check: OK ({len(pays) + len(cancels)} orders, {len(accounts)} accounts; "
          f"{len(pays)} pays of which {len(cancelled_pays)} cancelled and {len(game_pays)} made through 2.0, "
          f"{acked} answered 0 to the clients)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("selftest")
    w = sub.add_parser("wait")
    w.add_argument("url")
    w.add_argument("--t0-ns", type=int, required=True)
    w.add_argument("--pid", type=int)
    w.add_argument("--post", action="store_true")
    w.add_argument("--timeout", type=float, default=60)
    pr = sub.add_parser("prepare")
    pr.add_argument("--base", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--tag", required=True, help="unique per server start: prefixes every bill_no")
    pr.add_argument("--cases", default="getbalance,pay,replay,mix")
    pr.add_argument("--users", type=int, default=1000)
    pr.add_argument("--threads", type=int, default=2)
    pr.add_argument("--fresh-lines", type=int, default=400_000)
    pr.add_argument("--random-bills", action="store_true", help="fresh pays get UUID-like bill_nos instead of numbered ones")
    pr.add_argument("--mix-lines", type=int, default=400_000)
    pr.add_argument("--warm-lines", type=int, default=20_000)
    pr.add_argument("--replays", type=int, default=5_000)
    ck = sub.add_parser("check")
    ck.add_argument("--state", required=True)
    ck.add_argument("--acked-pays", type=int, default=0, help="pays the load generator saw answered 0 (1.0 and 2.0)")
    ck.add_argument("--acked-game-pays", type=int, default=0, help="of those, the 2.0 pays (/wxa/game/pay)")
    a = p.parse_args()
    if a.cmd == "selftest":
        selftest()
        print("signer OK (docs/wechat-api.md §3.3, docs/wechat-vp2-api.md §4)")
    elif a.cmd == "wait":
        wait(a)
    elif a.cmd == "prepare":
        a.cases = set(a.cases.split(","))
        prepare(a)
    else:
        check(a)


if __name__ == "__main__":
    main()
