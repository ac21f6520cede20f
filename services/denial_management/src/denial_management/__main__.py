"""`python -m denial_management migrate | api [--port N] | worker`."""

from denial_management.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
