/// HDF5 binding (see README.md in this folder).
