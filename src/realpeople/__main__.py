from realpeople.cli import main

raise SystemExit(main())
