"""Capacity benchmark driver. `life.py intake N CLIENTS` takes N tickets in through the API with
CLIENTS threads; `life.py life N CLIENTS` runs N whole ticket lives: intake, the agent's reply,
a request for information and the customer's answer (the gateway key), resolution, the
customer's survey answer, close. Environment: BASE_URL, ADMIN_KEY, AGENT_KEY, GATEWAY_KEY.
Prints the number of requests made and the wall time."""
import json
import os
import sys
import threading
import time
import urllib.request

BASE = os.environ["BASE_URL"]
KEYS = {"admin": os.environ["ADMIN_KEY"], "agent": os.environ["AGENT_KEY"], "gateway": os.environ["GATEWAY_KEY"]}
MODE, TOTAL, CLIENTS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lock = threading.Lock()
counter = {"next": 0, "requests": 0}


def call(path, body, key, expect=(200, 201)):
    request = urllib.request.Request(f"{BASE}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {KEYS[key]}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        if answer.status not in expect:
            raise SystemExit(f"{path} answered {answer.status}")
        with lock:
            counter["requests"] += 1
        return answer.status, answer.headers, json.loads(answer.read() or b"null")


def intake(n):
    _, _, ticket = call("/v1/tickets", {"customer": {"name": f"Capacity {n}"}, "channel": "chat", "category": "fault",
                                        "priority": "P3", "description": f"订单 {n} 支付失败，页面提示银行卡状态异常"}, "admin")
    return ticket["id"]


def life(n):
    ticket = intake(n)
    call(f"/v1/tickets/{ticket}/respond", {"body": "您好，我们正在核实支付通道的状态"}, "agent")
    call(f"/v1/tickets/{ticket}/request-info", {"body": "请提供订单号和支付时间"}, "agent")
    call(f"/v1/tickets/{ticket}/customer-reply", {"body": f"订单 {n}，今天上午十点"}, "gateway")
    _, headers, _ = call(f"/v1/tickets/{ticket}/resolve", {"solution_summary": "支付通道已恢复，已重新扣款"}, "agent")
    token = headers.get("Survey-Token")
    call(f"/v1/surveys/{token}", {"timeliness": 5, "professionalism": 5, "resolution": 4, "attitude": 5, "overall": 5}, "admin")
    call(f"/v1/tickets/{ticket}/close", {}, "agent")


def worker():
    job = intake if MODE == "intake" else life
    while True:
        with lock:
            n = counter["next"]
            counter["next"] += 1
        if n >= TOTAL:
            return
        job(n)


start = time.time()
threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(counter["requests"], f"{time.time() - start:.3f}")
