"""`python -m clearinghouse_simulator migrate | api [--port N] | worker`."""

from claimstream_platform.entrypoint import main

from clearinghouse_simulator import bootstrap

if __name__ == "__main__":
    main(
        prog="clearinghouse_simulator",
        app_factory="clearinghouse_simulator.bootstrap:app",
        default_port=8010,
        migrate=bootstrap.migrate,
        worker=bootstrap.run_worker,
        worker_help="run the adjudication cycle",
    )
