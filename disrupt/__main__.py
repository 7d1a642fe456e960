from disrupt.cli import main

main()
