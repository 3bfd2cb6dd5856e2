"""`python -m territory_opt.cli ...` runs the command line like `territory-opt ...`."""

from territory_opt.cli.main import main

main()
