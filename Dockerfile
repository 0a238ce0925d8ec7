# One image for every hub service; the compose file picks the module to run.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
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
RUN pip install --no-cache-dir .
ENV PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "gateway"]
