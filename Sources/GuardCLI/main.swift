print("guard")
