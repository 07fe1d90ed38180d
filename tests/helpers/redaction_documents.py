"""Documents with secrets in every shape the redactor must hide, and what must stay hidden."""

from __future__ import annotations

SECRETS = {
    "ODDS_API_KEY": "sk-live-4f9a8b7c6d5e4f3a2b1c",
    "BALLDONTLIE_TOKEN": "bdl_tok_93jf83jf9",
    "DB_PASSWORD": "hunter2-prod-pw",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX",
    "GCP_CREDENTIALS_JSON": "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0",
    "PROPS_BUCKET": "gs://nba-props-private-bucket-7731",
}


def describe_document(flag: str = "false") -> dict:
    env = [{"name": k, "value": v} for k, v in SECRETS.items()]
    env.append({"name": "SEQUENTIAL_EXECUTION_ENABLED", "value": flag})
    env.append({"name": "SHARED_SECRET", "valueFrom": {"secretKeyRef": {"key": "latest", "name": "shared-secret-v3"}}})
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "annotations": {
                "run.googleapis.com/client-name": "gcloud",
                "run.googleapis.com/ingress": "all",
                "serving.knative.dev/creator": "deployer@nba-props-platform.iam.gserviceaccount.com",
            },
            "labels": {
                "cloud.googleapis.com/location": "us-west2",
                "commit-sha": "ef8193b1",
                "api-token": "label-tok-551",
            },
            "name": "nba-phase3-analytics-processors",
            "namespace": "756957797294",
        },
        "spec": {
            "template": {
                "metadata": {"annotations": {"autoscaling.knative.dev/maxScale": "10"}},
                "spec": {
                    "containerConcurrency": 1,
                    "timeoutSeconds": 3600,
                    "serviceAccountName": "analytics@nba-props-platform.iam.gserviceaccount.com",
                    "containers": [
                        {
                            "image": "us-west2-docker.pkg.dev/nba-props-platform/analytics:ef8193b1",
                            "env": env,
                            "ports": [{"containerPort": 8080, "name": "http1"}],
                            "resources": {"limits": {"cpu": "2", "memory": "4Gi"}},
                        }
                    ],
                },
            },
            "traffic": [{"latestRevision": True, "percent": 100}],
        },
        "status": {
            "url": "https://nba-phase3-analytics-processors-f7p3g7f6ya-wl.a.run.app",
            "conditions": [{"status": "True", "type": "Ready"}],
        },
    }


HIDDEN = [*list(SECRETS.values()), "label-tok-551", "shared-secret-v3"]
