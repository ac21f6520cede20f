"""`python -m charge_capture migrate | api [--port N] | worker`."""

from claimstream_platform.entrypoint import main

from charge_capture import bootstrap

if __name__ == "__main__":
    main(
        prog="charge_capture",
        app_factory="charge_capture.bootstrap:app",
        default_port=8001,
        migrate=bootstrap.migrate,
        worker=bootstrap.run_worker,
        worker_help="run the outbox relay",
    )
