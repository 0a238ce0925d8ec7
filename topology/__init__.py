"""Where the hub's processes are declared once: :mod:`topology.services`.

Plain data, importing nothing of the hub: the developer stack, the fault
suite and the docker-compose generator all read it, so a service added here
runs everywhere and a service missing here runs nowhere.
"""
