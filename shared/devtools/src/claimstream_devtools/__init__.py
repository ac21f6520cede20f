"""claimstream's development tooling, kept out of the runtime package `claimstream_platform`.

Installed by `make install` for development and tests; a service image installs only the platform and its service.
"""
