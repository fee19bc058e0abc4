#!/usr/bin/env python3
"""numpy baseline of hopgen's arithmetic contract (docs/ARITHMETIC.md), for `make bench`.

Reads a JSON job {"weights_q": [[int]], "thresholds_q": [int], "mode": "sync"|"async",
"max_sweeps": int, "probes": ["+-..."]} and writes {"seconds": float, "results":
[[state as +- string, sweeps, status], ...]} so the bench can check that the baseline
computes exactly what hopgen's model computes before comparing speed.

It is a fair numpy implementation, not a naive one: sync runs all probes at once as one
matrix product per sweep; async keeps the local fields and adds a weight column only
when a neuron flips, as hopgen's model does.
"""
import json
import sys
import time

import numpy as np

CONVERGED, LIMIT, CYCLE2 = 0, 1, 2


def decide(h, theta, s):
    return np.where(h > theta, 1, np.where(h < theta, -1, s))


def run_sync(w, theta, probes, max_sweeps):
    s = probes.T.copy()  # N x K, one column per probe
    k_count = s.shape[1]
    prev = None
    sweeps = np.zeros(k_count, dtype=np.int64)
    status = np.full(k_count, -1, dtype=np.int64)
    active = np.ones(k_count, dtype=bool)
    for k in range(1, max_sweeps + 1):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        cur = s[:, idx]
        h = w @ cur
        nxt = decide(h, theta[:, None], cur)
        changed = np.any(nxt != cur, axis=0)
        if prev is not None:
            cycle = np.all(nxt == prev[:, idx], axis=0) & changed
        else:
            cycle = np.zeros(idx.size, dtype=bool)
        new_prev = s.copy()
        s[:, idx] = nxt
        sweeps[idx] = k
        done_conv = ~changed
        done_cycle = cycle
        done_limit = changed & ~cycle & (k == max_sweeps)
        status[idx[done_conv]] = CONVERGED
        status[idx[done_cycle]] = CYCLE2
        status[idx[done_limit]] = LIMIT
        active[idx[done_conv | done_cycle | done_limit]] = False
        prev = new_prev
    return s.T, sweeps, status


def run_async_one(w_cols, theta, s, max_sweeps):
    n = s.shape[0]
    h = w_cols.T @ s  # h_i = sum_j w[i][j] s_j, with w_cols[j] = column j
    for k in range(1, max_sweeps + 1):
        changed = False
        for i in range(n):
            hi, ti, si = h[i], theta[i], s[i]
            new = 1 if hi > ti else (-1 if hi < ti else si)
            if new != si:
                s[i] = new
                h += (2 * new) * w_cols[i]
                changed = True
        if not changed:
            return s, k, CONVERGED
        if k == max_sweeps:
            return s, k, LIMIT
    return s, max_sweeps, LIMIT


def main():
    job = json.load(open(sys.argv[1]))
    w = np.array(job["weights_q"], dtype=np.int64)
    theta = np.array(job["thresholds_q"], dtype=np.int64)
    probes = np.array([[1 if c == "+" else -1 for c in p] for p in job["probes"]], dtype=np.int64)
    max_sweeps = int(job["max_sweeps"])
    start = time.perf_counter()
    if job["mode"] == "sync":
        states, sweeps, status = run_sync(w, theta, probes, max_sweeps)
        results = [(s, int(k), int(st)) for s, k, st in zip(states, sweeps, status)]
    else:
        w_cols = np.ascontiguousarray(w.T)
        results = [run_async_one(w_cols, theta, p.copy(), max_sweeps) for p in probes]
    seconds = time.perf_counter() - start
    out = {
        "seconds": seconds,
        "results": [["".join("+" if v > 0 else "-" for v in s), int(k), int(st)] for s, k, st in results],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
