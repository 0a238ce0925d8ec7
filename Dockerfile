# One image for every hub service; the compose file picks the module to run.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY contracts ./contracts
COPY runtime ./runtime
COPY topology ./topology
COPY hubctl ./hubctl
COPY gateway ./gateway
COPY adapters ./adapters
COPY intake ./intake
COPY notifier ./notifier
COPY customs ./customs
COPY simulators ./simulators
COPY devstack ./devstack
COPY bench ./bench
COPY schemas ./schemas
COPY examples ./examples
# Every package from the hashed lock, then the hub itself adding nothing unlocked.
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps .
ENV PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "gateway"]
