"""``python -m kafkalab`` is the ``kafkalab`` command."""
from kafkalab.cli_main import main

raise SystemExit(main())
