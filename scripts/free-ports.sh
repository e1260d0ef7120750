# free_base [N] prints a port P such that P..P+N-1 (N defaults to 50) are
# free on 127.0.0.1, for TCP and UDP (libp2p listens on both), so a local
# network (node i on P+10i and P+10i+1: N is ten per node) does not collide
# with whatever else runs on this machine. Sourced by the scripts that
# start networks.
free_base() {
	python3 - "${1:-50}" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
if not 1 <= n <= 40000:
    raise SystemExit(f"free_base: {n} ports is not a range this machine has")
for _ in range(200):
    base = random.randrange(20000, 65536 - n, 10)
    socks = []
    try:
        for p in range(base, base + n):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, kind)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        print(base)
        break
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
else:
    raise SystemExit(f"no free range of {n} ports on 127.0.0.1")
PY
}
