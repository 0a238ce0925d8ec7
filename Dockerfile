# One image for every hub service; the compose file picks the module to run.
# What it installs is what tests/integration/test_image_install.py installs
# into a fresh venv and starts: `pip install ".[stand-ins]"` of this checkout.
FROM python:3.11-slim
WORKDIR /app
# The build context is filtered by .dockerignore (no .venv, .devstack, .git).
COPY . .
# Every package from the image's hashed lock (runtime and stand-ins, no dev
# tools), then the hub itself adding nothing unlocked.
RUN pip install --no-cache-dir --require-hashes -r requirements-image.lock \
    && pip install --no-cache-dir --no-deps ".[stand-ins]"
ENV PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "gateway"]
