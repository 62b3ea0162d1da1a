"""`faultline load`: many concurrent recording clients, each through its own fault-proxy listener, running a
seeded mix of the profile's role calls with cuts, resumes, answers and toxics; every client's history checked
by the registered checks, plus the cross-client checks (isolation, effects once, order, event ids).

plan.py (what each client asks, seeded) -> workload.py (one client doing it, its history in short segments)
-> digest.py (what the cross-client checks need of a segment) -> checks.py (pure, over the digests)
-> figures.py (live counters, latency histograms, memory) -> engine.py (target, proxies, clients, kill-at)
-> summary.py (the closing lines).
"""
