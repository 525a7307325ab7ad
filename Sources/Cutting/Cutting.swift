/// Circuit cutting.
