"""`python -m eligibility migrate | api [--port N] | worker`."""

from eligibility.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
