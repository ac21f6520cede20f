"""`python -m remittance_posting migrate | api [--port N] | worker`."""

from remittance_posting.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
