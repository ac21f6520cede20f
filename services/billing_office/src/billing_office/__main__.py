"""`python -m billing_office migrate | api | worker`."""

from billing_office.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
