"""`python -m claim_submission migrate | api [--port N] | worker`."""

from claim_submission.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
