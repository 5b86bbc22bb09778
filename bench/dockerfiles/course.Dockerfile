# The course recipe (MLOps course, "M9 - Docker"): copy the whole repository, then pip install.
# Two adaptations so it builds on these machines, neither of which makes it slower:
# - the base image is the local test image, whose Python is Debian's: pip refuses to install into
#   it (PEP 668) unless told to, hence --break-system-packages (python:3.x-slim needs no flag);
# - the package index comes from a build argument (no internet here).
# The course's `apt install build-essential gcc` step is left out: the dependencies are pure-Python
# wheels, and leaving it out only helps this recipe.
FROM r2d-test/python:bookworm
ARG PIP_INDEX_URL
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt --no-cache-dir --break-system-packages
ENTRYPOINT ["bash", "run.sh"]
