"""`python -m projection migrate | api [--port N] | worker | rebuild`."""

from projection.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
