from tftui.cli import main

raise SystemExit(main())
