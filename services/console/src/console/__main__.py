"""`python -m console migrate | api | worker`."""

from console.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
