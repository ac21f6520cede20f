"""`python -m clearinghouse_simulator migrate | api [--port N] | worker`."""

from clearinghouse_simulator.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
