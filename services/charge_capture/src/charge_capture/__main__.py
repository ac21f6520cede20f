"""`python -m charge_capture migrate | api [--port N] | worker`."""

from charge_capture.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
