/// MPI binding (see README.md in this folder).
