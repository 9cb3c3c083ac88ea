"""Never started: the Dockerfile says nothing about how."""

print("serving")
