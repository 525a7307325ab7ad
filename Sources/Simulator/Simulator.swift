/// State-vector simulator.
