# free_base prints a port P such that P..P+49 are free on 127.0.0.1, for
# TCP and UDP (libp2p listens on both), so a local network of a few nodes
# (node i on P+10i and P+10i+1) does not collide with whatever else runs on
# this machine. Sourced by the scripts that start networks.
free_base() {
	python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 60000, 10)
    socks = []
    try:
        for p in range(base, base + 50):
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
    raise SystemExit("no free range of 50 ports on 127.0.0.1")
PY
}
