"""`python -m identity migrate | api [--port N] | worker | create-admin | create-operator | issue-integration |
verify-audit`."""

from identity.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
