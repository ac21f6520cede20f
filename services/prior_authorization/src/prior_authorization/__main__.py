"""`python -m prior_authorization migrate | api [--port N] | worker`."""

from prior_authorization.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
