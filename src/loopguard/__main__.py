from loopguard.cli import main

raise SystemExit(main())
