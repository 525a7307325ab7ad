/// QNN training (see README.md).
