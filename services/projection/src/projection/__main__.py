"""`python -m projection migrate | api [--port N] | worker | rebuild`."""

import sys

from projection.service import SERVICE

if __name__ == "__main__":
    if sys.argv[1:2] == ["rebuild"]:
        from projection.rebuild import main

        sys.exit(main())
    SERVICE.main()
