"""Proves that template.yaml grants what scripts/template-privileges.json records, no more, no less.

Run by scripts/lint-template. The template is expanded offline by the SAM translator (as
scripts/sam_translate_check.py does), then read as AWS would apply it:

- per function (its SAM logical id): every (effect, action, resource[, condition]) its role
  allows or denies, from the role's inline policies, the managed policies it names (a policy
  resource of the template is expanded to its statements; an AWS managed policy is kept by
  ARN) and any policy resource of the template that attaches itself to the role; who may
  assume the role; the environment variables (Globals merged); the SAM events as written;
- the resource-based grants: queue policies and Lambda permissions;
- the logical id and type of every resource of the expanded template, except the template's
  own AWS::IAM::ManagedPolicy resources: those are the means, and what they grant is compared
  through the functions above (one attached to no function is refused: it would be dead code).

Intrinsics in resources are rendered as the ARNs they stand for in a fixed fake account, so
that two spellings of the same grant compare equal (`Fn::GetAtt: [T, Arn]` and the SAM policy
template's `Fn::Sub` of arn:...:table/${tableName}).

Usage: python scripts/template_privileges.py [template]          compare with the snapshot
       python scripts/template_privileges.py --write [template]  rewrite the snapshot (then
                                                                 review its diff: it is the
                                                                 least privilege of the stack)
Exits non-zero, listing every difference, when the template and the snapshot disagree.
"""

import copy
import json
import os
import re
import sys

import yaml
from samtranslator.translator.transform import transform

from sam_translate_check import OfflineManagedPolicyLoader, as_packaged

SNAPSHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "template-privileges.json")
ACCOUNT, REGION, PARTITION, STACK = "123456789012", "us-east-1", "aws", "stack"
PSEUDO = {
    "AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
    "AWS::StackName": STACK, "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": "",
}


class Renderer:
    """Renders intrinsic functions as the strings they stand for in the fake account."""

    def __init__(self, resources):
        self.resources = resources

    def kind(self, logical_id):
        return (self.resources.get(logical_id) or {}).get("Type")

    def ref(self, logical_id):
        if logical_id in PSEUDO:
            return PSEUDO[logical_id]
        kind = self.kind(logical_id)
        if kind == "AWS::DynamoDB::Table":
            return logical_id
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{logical_id}"
        if kind == "AWS::Events::EventBus":
            return self.render(self.resources[logical_id]["Properties"]["Name"])
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{logical_id}"
        if kind == "AWS::Lambda::Function":
            return logical_id
        return f"{{Ref {logical_id}}}"

    def get_att(self, logical_id, attribute):
        kind = self.kind(logical_id)
        arn = f"arn:{PARTITION}:{{}}:{REGION}:{ACCOUNT}:{{}}"
        known = {
            ("AWS::DynamoDB::Table", "Arn"): arn.format("dynamodb", f"table/{logical_id}"),
            ("AWS::DynamoDB::Table", "StreamArn"):
                arn.format("dynamodb", f"table/{logical_id}/stream/latest"),
            ("AWS::SQS::Queue", "Arn"): arn.format("sqs", logical_id),
            ("AWS::SQS::Queue", "QueueName"): logical_id,
            ("AWS::Events::Rule", "Arn"): arn.format("events", f"rule/{logical_id}"),
            ("AWS::Lambda::Function", "Arn"): arn.format("lambda", f"function:{logical_id}"),
        }
        if (kind, attribute) in known:
            return known[(kind, attribute)]
        if (kind, attribute) == ("AWS::Events::EventBus", "Arn"):
            return arn.format("events", f"event-bus/{self.ref(logical_id)}")
        return f"{{GetAtt {logical_id}.{attribute}}}"

    def sub(self, text, variables):
        def replace(match):
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self.render(variables[name])
            if "." in name:
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return re.sub(r"\$\{([^}]*)\}", replace, text)

    def render(self, node):
        if isinstance(node, str):
            return node
        if isinstance(node, dict) and len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::GetAtt":
                target, attribute = value if isinstance(value, list) else value.split(".", 1)
                return self.get_att(target, attribute)
            if key == "Fn::Sub":
                text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
                return self.sub(text, variables)
            if key == "Fn::Join":
                return self.render(value[0]).join(self.render(item) for item in value[1])
        return json.dumps(node, sort_keys=True)


def as_list(value):
    return value if isinstance(value, list) else [value]


def grants(statements, render):
    """One line per (effect, action, resource[, condition]) of the statements."""
    lines = set()
    for statement in as_list(statements):
        effect = statement.get("Effect", "?")
        actions = [("", a) for a in as_list(statement.get("Action", []))]
        actions += [("not ", a) for a in as_list(statement.get("NotAction", []))]
        resources = [("", r) for r in as_list(statement.get("Resource", []))]
        resources += [("not ", r) for r in as_list(statement.get("NotResource", []))]
        resources = resources or [("", "-")]  # a trust policy names no resource
        condition = statement.get("Condition")
        suffix = f" if {render.render(condition)}" if condition else ""
        principal = statement.get("Principal")
        who = f" to {render.render(principal)}" if principal else ""
        for not_action, action in actions:
            for not_resource, resource in resources:
                lines.add(f"{effect} {not_action}{str(action).lower()} on "
                          f"{not_resource}{render.render(resource)}{who}{suffix}")
    return lines


def role_grants(role_id, resources, render, used_policies):
    role = resources[role_id]["Properties"]
    lines = set()
    for policy in role.get("Policies", []):
        lines |= grants(policy["PolicyDocument"].get("Statement", []), render)
    for arn in role.get("ManagedPolicyArns", []):
        target = arn.get("Ref") if isinstance(arn, dict) else None
        if target and render.kind(target) == "AWS::IAM::ManagedPolicy":
            used_policies.add(target)
            lines |= grants(resources[target]["Properties"]["PolicyDocument"]["Statement"], render)
        else:
            lines.add(f"Allow managed policy {render.render(arn)}")
    for policy_id, resource in resources.items():
        if resource["Type"] not in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            continue
        if {"Ref": role_id} in resource["Properties"].get("Roles", []):
            used_policies.add(policy_id)
            lines |= grants(resource["Properties"]["PolicyDocument"]["Statement"], render)
    for statement in role.get("AssumeRolePolicyDocument", {}).get("Statement", []):
        lines |= {f"Assumable {line}" for line in grants(statement, render)}
    if "PermissionsBoundary" in role:
        lines.add(f"Bounded by {render.render(role['PermissionsBoundary'])}")
    return lines


def resource_grants(resources, render):
    """Queue policies and Lambda permissions: who may send to a queue or call a function."""
    lines = set()
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::SQS::QueuePolicy":
            for queue in properties["Queues"]:
                for line in grants(properties["PolicyDocument"]["Statement"], render):
                    lines.add(f"queue {render.render(queue)}: {line}")
        elif resource["Type"] == "AWS::Lambda::Permission":
            source = properties.get("SourceArn")
            lines.add(f"function {render.render(properties['FunctionName'])}: "
                      f"{properties['Action'].lower()} by {render.render(properties['Principal'])}"
                      + (f" from {render.render(source)}" if source else ""))
    return sorted(lines)


def privileges(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    with open(path, encoding="utf-8") as file:
        template = yaml.safe_load(file)
    sam_functions = {
        logical_id: resource.get("Properties") or {}
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    output = transform(as_packaged(copy.deepcopy(template)), {}, OfflineManagedPolicyLoader())
    resources = output["Resources"]
    render = Renderer(resources)
    used_policies = set()
    functions = {}
    for logical_id, properties in sorted(sam_functions.items()):
        function = resources[logical_id]["Properties"]
        role_id = function["Role"]["Fn::GetAtt"][0]
        variables = (function.get("Environment") or {}).get("Variables") or {}
        functions[logical_id] = {
            "grants": sorted(role_grants(role_id, resources, render, used_policies)),
            "environment": {name: json.dumps(value, sort_keys=True)
                            for name, value in sorted(variables.items())},
            "events": {name: json.dumps(event, sort_keys=True)
                       for name, event in sorted((properties.get("Events") or {}).items())},
        }
    own_policies = {i for i, r in resources.items() if r["Type"] == "AWS::IAM::ManagedPolicy"}
    unused = sorted(own_policies - used_policies)
    if unused:
        print(f"template-privileges: managed policies no function uses: {', '.join(unused)}",
              file=sys.stderr)
        sys.exit(1)
    return {
        "resources": {i: r["Type"] for i, r in sorted(resources.items()) if i not in own_policies},
        "resource_grants": resource_grants(resources, render),
        "functions": functions,
    }


def differences(expected, actual, at=""):
    """Human-readable lines: what the snapshot has that the template lacks (-), and back (+)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                lines.append(f"- {at}{key}")
            elif key not in expected:
                lines.append(f"+ {at}{key}")
            else:
                lines += differences(expected[key], actual[key], f"{at}{key}: ")
        return lines
    if isinstance(expected, list) and isinstance(actual, list):
        return ([f"- {at}{line}" for line in sorted(set(expected) - set(actual))]
                + [f"+ {at}{line}" for line in sorted(set(actual) - set(expected))])
    return [] if expected == actual else [f"- {at}{expected}", f"+ {at}{actual}"]


def main():
    arguments = sys.argv[1:]
    write = "--write" in arguments
    arguments = [a for a in arguments if a != "--write"]
    path = arguments[0] if arguments else "template.yaml"
    actual = privileges(path)
    if write:
        with open(SNAPSHOT, "w", encoding="utf-8") as file:
            json.dump(actual, file, indent=1, sort_keys=True)
            file.write("\n")
        print(f"template-privileges: wrote {SNAPSHOT}")
        return
    with open(SNAPSHOT, encoding="utf-8") as file:
        expected = json.load(file)
    lines = differences(expected, actual)
    if lines:
        print(f"template-privileges: {path} differs from {os.path.relpath(SNAPSHOT)} "
              "(- only in the snapshot, + only in the template):", file=sys.stderr)
        print("\n".join(f"  {line}" for line in lines), file=sys.stderr)
        print("An intended change: rerun with --write and review the snapshot's diff.",
              file=sys.stderr)
        sys.exit(1)
    count = sum(len(f["grants"]) for f in actual["functions"].values())
    print(f"template-privileges: {len(actual['functions'])} functions, {count} grants, "
          f"{len(actual['resource_grants'])} resource grants, {len(actual['resources'])} "
          "resources as recorded")


if __name__ == "__main__":
    main()
