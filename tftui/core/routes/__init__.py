"""The gateway router's view, as pure data: parsers for Quagga/FRR text and FRR JSON, the gatewayless
cross-check, router config keys, and the emitters the lab router uses (decoder and encoder side by side).
"""
