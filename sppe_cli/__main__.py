from sppe_cli.main import run

run()
