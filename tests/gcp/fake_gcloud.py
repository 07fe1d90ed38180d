"""A stand-in `gcloud` for tests: answers `run services describe` / `functions describe` /
`run revisions list --service=NAME` from the JSON file in $FAKE_GCLOUD_DATA ({"run:NAME":
{...}, "function:NAME": {...}, "revisions:NAME": [...]}) and prints gcloud's own error text
otherwise. `"_hang": ["run revisions list"]` makes the commands starting so never answer (a
gcloud stuck on the network). Every call is appended to $FAKE_GCLOUD_LOG."""

import json
import os
import sys
import time

args = sys.argv[1:]
with open(os.environ["FAKE_GCLOUD_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
with open(os.environ["FAKE_GCLOUD_DATA"]) as fh:
    data = json.load(fh)
if any(" ".join(args).startswith(prefix) for prefix in data.get("_hang", [])):
    time.sleep(3600)
if data.get("_error"):
    sys.stderr.write(data["_error"] + "\n")
    sys.exit(1)
if args[:3] == ["run", "revisions", "list"]:
    service = next((a.split("=", 1)[1] for a in args if a.startswith("--service=")), None)
    if service is None or "--format=json" not in args:
        sys.stderr.write("fake gcloud lists one service's revisions, as JSON\n")
        sys.exit(2)
    print(json.dumps(data.get(f"revisions:{service}", []), indent=2))  # newest first, as gcloud lists them
    sys.exit(0)
if args[:3] == ["run", "services", "describe"]:
    kind, name = "run", args[3]
elif args[:2] == ["functions", "describe"]:
    kind, name = "function", args[2]
else:
    sys.stderr.write(f"ERROR: (gcloud) Invalid choice: {args}\n")
    sys.exit(2)
if "--format=json" not in args:
    sys.stderr.write("fake gcloud only prints JSON\n")
    sys.exit(2)
doc = data.get(f"{kind}:{name}")
if doc is None:
    sys.stderr.write(f"ERROR: (gcloud.{kind}) NOT_FOUND: Resource '{name}' was not found\n")
    sys.exit(1)
print(json.dumps(doc, indent=2))
