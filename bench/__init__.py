"""smsbot's benchmark suite: every figure beside a bare floor measured in the same run (`python -m bench`)."""
