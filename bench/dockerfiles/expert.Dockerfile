# An expert's hand-written Dockerfile: a .dockerignore that leaves data/ and .git out, the
# dependency file copied and installed before the code (a code change keeps the install cached),
# a pip cache mount, the index as a build secret (it never reaches the image), a virtual
# environment (Debian's Python refuses system-wide pip installs, PEP 668) and a non-root user.
FROM r2d-test/python:bookworm
ENV PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN useradd --create-home --uid 1000 app \
    && python3 -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pip-conf \
    PIP_CONFIG_FILE=/run/secrets/pip-conf pip install --disable-pip-version-check -r /tmp/requirements.txt
USER app
WORKDIR /home/app
COPY --chown=app:app . .
CMD ["bash", "run.sh"]
