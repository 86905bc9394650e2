"""One EventBridge scenario through boto3 against a Busway server (driven by ../cli.test.ts).

Usage: python3 boto3_scenario.py ENDPOINT_URL BUS_NAME
Credentials and region come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION). Prints one JSON object: each step's response (ResponseMetadata reduced to the
status and request id), or the error boto3 raised for it.
"""
import json
import sys

import boto3
import botocore.exceptions

endpoint, bus = sys.argv[1], sys.argv[2]
client = boto3.client("events", endpoint_url=endpoint)
queue_arn = "arn:aws:sqs:us-east-1:000000000000:boto3-queue"
results = {}


def step(name, method, **kwargs):
    try:
        response = getattr(client, method)(**kwargs)
        meta = response.pop("ResponseMetadata", {})
        response["_status"] = meta.get("HTTPStatusCode")
        response["_requestId"] = meta.get("RequestId")
    except botocore.exceptions.ClientError as error:
        response = {
            "Error": error.response.get("Error"),
            "_status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            "_requestId": error.response.get("ResponseMetadata", {}).get("RequestId"),
        }
    results[name] = response
    return response


step("create_event_bus", "create_event_bus", Name=bus)
step("describe_event_bus", "describe_event_bus", Name=bus)
step("put_rule", "put_rule", Name="orders-rule", EventBusName=bus, EventPattern='{"source":["shop"]}',
     Description="from boto3")
for extra in ("orders-rule-2", "orders-rule-3"):
    step("put_" + extra, "put_rule", Name=extra, EventBusName=bus, EventPattern='{"source":["other"]}')
step("put_targets", "put_targets", Rule="orders-rule", EventBusName=bus,
     Targets=[{"Id": "t1", "Arn": queue_arn, "InputPath": "$.detail"}])
step("put_events", "put_events", Entries=[
    {"EventBusName": bus, "Source": "shop", "DetailType": "order placed", "Detail": '{"orderId": "o-1"}'},
    {"EventBusName": bus, "Source": "shop", "DetailType": "order placed"},
])

# botocore's paginator follows NextToken; PageSize=1 makes it take one page per rule.
pages = client.get_paginator("list_rules").paginate(EventBusName=bus, PaginationConfig={"PageSize": 1})
results["list_rules_paginated"] = {"Rules": [rule for page in pages for rule in page["Rules"]]}

step("describe_rule", "describe_rule", Name="orders-rule", EventBusName=bus)
step("list_targets_by_rule", "list_targets_by_rule", Rule="orders-rule", EventBusName=bus)
step("delete_rule_with_targets", "delete_rule", Name="orders-rule", EventBusName=bus)
step("remove_targets", "remove_targets", Rule="orders-rule", EventBusName=bus, Ids=["t1"])
for name in ("orders-rule", "orders-rule-2", "orders-rule-3"):
    step("delete_" + name, "delete_rule", Name=name, EventBusName=bus)
step("delete_event_bus", "delete_event_bus", Name=bus)
step("describe_deleted_bus", "describe_event_bus", Name=bus)

print(json.dumps(results, default=str))
