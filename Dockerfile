# The image of the `watch` Cloud Run job (README, "Cloud Run job + Cloud Scheduler").
# gcloud is in the base image: the deployment-drift check reads Cloud Run / Functions state with it.
FROM gcr.io/google.com/cloudsdktool/google-cloud-cli:slim
WORKDIR /app
COPY . /app
RUN python3 -m venv /venv && /venv/bin/pip install --no-cache-dir /app
ENV PATH=/venv/bin:$PATH \
    NBA_CONSOLE_BACKEND=gcp \
    NBA_CONSOLE_READ_ONLY=true
ENTRYPOINT ["nba-console"]
