"""A vrouter agent's interface table on one address, for realnet tests: run inside a network namespace.

    python tests/helpers/netns_agent.py ADDRESS PORT VM_NAME VM_IP METADATA_IP

serves ``GET /Snh_ItfReq`` (one page: the host's vhost0 and the VM's interface, encoded by core/agent.py as a
real agent sends it) until killed, and prints ``ready`` once it listens. Not a test module.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tftui.core.agent import AgentInterface, encode_itf_table  # noqa: E402


def table(address: str, vm_name: str, vm_ip: str, metadata_ip: str) -> bytes:
    rows = [
        AgentInterface("vhost0", "vport", "00000000-0000-0000-0000-000000000001", ip_addr=address,
                       mdata_ip_addr="169.254.0.1", index=0),
        AgentInterface("tap0a1b2c3d-4e", "vport", "3f1c5e2a-0000-4000-8000-000000000001",
                       vm_uuid="3f1c5e2a-0000-4000-8000-0000000000aa", vm_name=vm_name,
                       vn_name="default-domain:k8s-default:k8s-default-pod-network", ip_addr=vm_ip,
                       mac_addr="02:00:00:00:00:01", mdata_ip_addr=metadata_ip, label=17, os_ifindex=9, index=1),
    ]
    return encode_itf_table(rows, None)


def main() -> None:
    address, port, vm_name, vm_ip, metadata_ip = sys.argv[1:6]
    body = table(address, vm_name, vm_ip, metadata_ip)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if not self.path.startswith("/Snh_ItfReq"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer((address, int(port)), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
