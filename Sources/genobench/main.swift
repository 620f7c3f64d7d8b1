print("genobench")
