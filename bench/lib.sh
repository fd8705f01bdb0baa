# Shared by the bench scripts (source it): a free loopback port and a timestamped log line on stderr.

# A port the kernel just handed out on 127.0.0.1: free, not merely one nothing answers on yet.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
