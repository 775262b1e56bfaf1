from simulation.dashboard import main

raise SystemExit(main())
