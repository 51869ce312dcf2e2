"""LipSDP-Neuron's optimum by cvxopt's SDP solver: a development cross-check for bench/sdp.ts.

Reads JSON on stdin: {"first": [[...]] (N1 x r, a matrix R with R R^T = W0 W0^T), "layers": [W1, ..., WL]
(row-major lists, outputs x inputs; the last is the output layer)} and prints {"rho": ..., "status": ...}.
The LMI over (x0, x1, ..., xL), written with cvxopt's own matrices (no numpy):
    F(rho, tau) = rho*E0 + sum_p tau_p*(e_p (e_p - q_p)^T + (e_p - q_p) e_p^T) - W_L^T W_L  >= 0,
q_p the neuron's incoming row placed in the previous block. Minimise rho.
Run with /usr/bin/python3 (which has cvxopt); CI never runs it.
"""
import json
import sys

from cvxopt import matrix, solvers


def main() -> None:
    spec = json.load(sys.stdin)
    first = spec["first"]
    layers = spec["layers"]
    r = len(first[0])
    widths = [len(first)] + [len(w) for w in layers[:-1]]
    n = sum(widths)
    D = r + n
    offsets = []
    o = r
    for w in widths:
        offsets.append(o)
        o += w
    m = n + 1
    G = matrix(0.0, (D * D, m))
    h = matrix(0.0, (D, D))

    def put(col, i, j, v):
        # G holds -vec(F_col); cvxopt's vec is column-major.
        G[i + j * D, col] -= v
        if i != j:
            G[j + i * D, col] -= v

    for i in range(r):
        put(0, i, i, 1.0)
    p = 0
    for l, width in enumerate(widths):
        incoming = first if l == 0 else layers[l - 1]
        prev = 0 if l == 0 else offsets[l - 1]
        for i in range(width):
            col = 1 + p
            at = offsets[l] + i
            put(col, at, at, 2.0)
            for j, w in enumerate(incoming[i]):
                if w != 0.0:
                    put(col, prev + j, at, -w)
            p += 1
    out = layers[-1]
    last = offsets[-1]
    NL = widths[-1]
    for a in range(NL):
        for b in range(NL):
            h[last + a, last + b] = -sum(out[k][a] * out[k][b] for k in range(len(out)))
    c = matrix(0.0, (m, 1))
    c[0] = 1.0
    solvers.options["show_progress"] = False
    solvers.options["abstol"] = 1e-9
    solvers.options["reltol"] = 1e-9
    solvers.options["feastol"] = 1e-9
    sol = solvers.sdp(c, Gs=[G], hs=[h])
    print(json.dumps({"rho": sol["x"][0], "status": sol["status"]}))


if __name__ == "__main__":
    main()
