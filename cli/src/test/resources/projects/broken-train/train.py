# A project whose training fails: FuseML must fail the run with this error in its cause.
raise ValueError("the training data has no 'quality' column")
