"""`python -m claim_submission migrate | api [--port N] | worker`."""

from claimstream_platform.entrypoint import main

from claim_submission import bootstrap

if __name__ == "__main__":
    main(
        prog="claim_submission",
        app_factory="claim_submission.bootstrap:app",
        default_port=8004,
        migrate=bootstrap.migrate,
        worker=bootstrap.run_worker,
        worker_help="run the consumer, the outbox relay and the submission loop",
    )
